package io.tribune.embedded.junit;

import io.tribune.embedded.EmbeddedAgent;
import io.tribune.embedded.TribuneAddresses;
import java.lang.reflect.AnnotatedElement;
import java.util.Optional;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * The JUnit 5 extension behind {@link TribuneAgent}: starts and stops embedded agents as the
 * annotation asks and resolves test parameters of type {@link EmbeddedAgent} and
 * {@link TribuneAddresses} to the nearest one (the method's own agent, else the class's, else an
 * enclosing class's for {@code @Nested} tests).
 *
 * <p>Agents are kept in the extension context's store, so tests running in parallel each see
 * their own. An agent that fails to start fails the class or the test with the reason; every agent
 * started is closed after its class or test, also when the test fails. Registered by the
 * annotation; can also be registered with {@code @ExtendWith} together with the annotation.
 */
public final class TribuneExtension implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback,
        AfterEachCallback, ParameterResolver {
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(TribuneExtension.class);
    private static final String KEY = "agent";

    /** Created by JUnit. */
    public TribuneExtension() {
    }

    /** Starts the class's agent when the class asks for one per class. */
    @Override
    public void beforeAll(ExtensionContext context) {
        Optional<TribuneAgent> a = AnnotationSupport.findAnnotation(context.getRequiredTestClass(), TribuneAgent.class);
        if (a.isPresent() && a.get().lifecycle() == TribuneAgent.Lifecycle.PER_CLASS) {
            context.getStore(NS).put(KEY, start(a.get()));
        }
    }

    /** Stops the class's agent. */
    @Override
    public void afterAll(ExtensionContext context) {
        stop(context);
    }

    /** Starts the test's own agent when the method is annotated or the class asks for one per method. */
    @Override
    public void beforeEach(ExtensionContext context) {
        Optional<TribuneAgent> onMethod = find(context.getRequiredTestMethod());
        Optional<TribuneAgent> onClass = AnnotationSupport.findAnnotation(context.getRequiredTestClass(),
                TribuneAgent.class);
        if (onMethod.isPresent()) {
            context.getStore(NS).put(KEY, start(onMethod.get()));
        } else if (onClass.isPresent() && onClass.get().lifecycle() == TribuneAgent.Lifecycle.PER_METHOD) {
            context.getStore(NS).put(KEY, start(onClass.get()));
        }
    }

    /** Stops the test's own agent, if it has one. */
    @Override
    public void afterEach(ExtensionContext context) {
        stop(context);
    }

    /** Whether the parameter is an {@link EmbeddedAgent} or {@link TribuneAddresses}. */
    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> t = parameter.getParameter().getType();
        return t == EmbeddedAgent.class || t == TribuneAddresses.class;
    }

    /**
     * The nearest agent (or its addresses).
     *
     * @throws ParameterResolutionException when no agent runs for this test, e.g. a {@code @BeforeAll}
     *                                      parameter of a class whose agents are per method
     */
    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        // A store's get looks into the parent contexts' stores too: method, class, enclosing class.
        EmbeddedAgent agent = context.getStore(NS).get(KEY, EmbeddedAgent.class);
        if (agent == null) {
            throw new ParameterResolutionException("no embedded Tribune agent runs for " + context.getDisplayName()
                    + ": annotate the class or method with @TribuneAgent (per-method agents start before "
                    + "@BeforeEach, after @BeforeAll)");
        }
        return parameter.getParameter().getType() == TribuneAddresses.class ? agent.addresses() : agent;
    }

    private static Optional<TribuneAgent> find(AnnotatedElement e) {
        return AnnotationSupport.findAnnotation(e, TribuneAgent.class);
    }

    private static void stop(ExtensionContext context) {
        // remove only this context's own entry: a parent's agent is stopped by the parent
        EmbeddedAgent a = context.getStore(NS).remove(KEY, EmbeddedAgent.class);
        if (a != null) {
            a.close();
        }
    }

    /** Starts an agent as {@code a} describes and applies its keys and services; closes it on a failure. */
    static EmbeddedAgent start(TribuneAgent a) {
        EmbeddedAgent.Builder b;
        try {
            b = EmbeddedAgent.builder().nodeName(a.nodeName()).datacenter(a.datacenter()).logLevel(a.logLevel());
            if (!a.aclMasterToken().isEmpty()) {
                b.acl(a.aclMasterToken());
            }
            if (!a.config().isBlank()) {
                b.config(a.config());
            }
        } catch (IllegalArgumentException e) {
            throw new ExtensionConfigurationException("@TribuneAgent: " + e.getMessage(), e);
        }
        EmbeddedAgent agent = b.start();
        try {
            for (String kv : a.keys()) {
                int eq = kv.indexOf('=');
                if (eq <= 0) {
                    throw new ExtensionConfigurationException("@TribuneAgent keys: '" + kv + "' is not key=value");
                }
                agent.putKey(kv.substring(0, eq), kv.substring(eq + 1));
            }
            for (String s : a.services()) {
                int colon = s.indexOf(':');
                int port = 0;
                if (colon >= 0) {
                    try {
                        port = Integer.parseInt(s.substring(colon + 1));
                    } catch (NumberFormatException e) {
                        throw new ExtensionConfigurationException("@TribuneAgent services: '" + s
                                + "' is not name or name:port");
                    }
                }
                agent.registerService(colon >= 0 ? s.substring(0, colon) : s, port);
            }
        } catch (RuntimeException e) {
            agent.close();
            if (e instanceof IllegalArgumentException) {
                throw new ExtensionConfigurationException("@TribuneAgent: " + e.getMessage(), e);
            }
            throw e;
        }
        return agent;
    }
}
