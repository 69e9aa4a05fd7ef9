package io.tribune.embedded.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Runs an embedded Tribune dev agent ({@link io.tribune.embedded.EmbeddedAgent}) for a test class
 * or a test method, through {@link TribuneExtension}.
 *
 * <p>On a class, one agent serves all its tests ({@link Lifecycle#PER_CLASS}, the default: started
 * before {@code @BeforeAll}, stopped after {@code @AfterAll}) or each test gets a fresh one
 * ({@link Lifecycle#PER_METHOD}: started before {@code @BeforeEach}, stopped after
 * {@code @AfterEach}). On a method, that method gets its own agent, which its parameters resolve
 * to instead of the class's. Tests receive the agent as a parameter of type
 * {@link io.tribune.embedded.EmbeddedAgent} or {@link io.tribune.embedded.TribuneAddresses}.
 *
 * <pre>{@code
 * @TribuneAgent(keys = "config/greeting=hello", services = "web:8080")
 * class MyTest {
 *     @Test void reads(TribuneAddresses consul) { ... consul.httpUrl() ... }
 * }
 * }</pre>
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
@ExtendWith(TribuneExtension.class)
public @interface TribuneAgent {
    /** When a class-level agent starts and stops. */
    enum Lifecycle {
        /** One agent for all tests of the class. */
        PER_CLASS,
        /** A fresh agent for each test of the class. */
        PER_METHOD
    }

    /** When the agent starts and stops; ignored on a method (always per method). */
    Lifecycle lifecycle() default Lifecycle.PER_CLASS;

    /** The node name. */
    String nodeName() default "embedded";

    /** The datacenter. */
    String datacenter() default "dc1";

    /** When not empty, ACLs are on (default deny) with this master token; the extension's own registrations send it. */
    String aclMasterToken() default "";

    /** Extra agent configuration, a JSON object with Consul's keys, merged over the rest; empty for none. */
    String config() default "";

    /** The level of the {@code io.tribune} loggers: trace, debug, info, warn or err. */
    String logLevel() default "warn";

    /** KV entries written before the tests run, each {@code key=value} (the value may be empty). */
    String[] keys() default {};

    /**
     * Services registered with the agent before the tests run, each {@code name} or
     * {@code name:port}, on address 127.0.0.1 with no check (so they are passing).
     */
    String[] services() default {};
}
