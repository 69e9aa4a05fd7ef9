package io.tribune.embedded.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Runs the annotated test class against an {@link io.tribune.embedded.EmbeddedCluster}: started
 * before the class's {@code @BeforeAll} methods (once it has a leader), closed after its tests, and
 * handed to any test, lifecycle method or constructor parameter of type
 * {@code EmbeddedCluster} (also in {@code @Nested} classes).
 *
 * <pre>{@code
 * @TribuneCluster(servers = 3, clients = 1)
 * class FailoverTest {
 *     @Test void survivesTheLeader(EmbeddedCluster cluster) {
 *         cluster.awaitLeader().kill();
 *         cluster.awaitLeader();
 *     }
 * }
 * }</pre>
 *
 * <p>Tests of the class share the cluster: a test that kills an agent should restart it (or the
 * class should expect the changed shape). A cluster that fails to form fails the class with the reason.
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
@ExtendWith(TribuneClusterExtension.class)
public @interface TribuneCluster {
    /** How many servers, 1 to 7. */
    int servers() default 3;

    /** How many client agents, 0 to 16. */
    int clients() default 0;

    /** The datacenter of every agent. */
    String datacenter() default "dc1";

    /** The loopback address (of 127.0.0.0/8) every agent binds. */
    String bindAddress() default "127.0.0.1";

    /** The level of the agents' loggers: trace, debug, info, warn or err. */
    String logLevel() default "warn";
}
