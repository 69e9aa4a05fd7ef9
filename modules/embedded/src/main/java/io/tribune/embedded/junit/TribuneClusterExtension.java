package io.tribune.embedded.junit;

import io.tribune.embedded.EmbeddedCluster;
import java.util.Optional;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * The JUnit 5 extension behind {@link TribuneCluster}: one {@link EmbeddedCluster} per annotated
 * class, started in {@code beforeAll} and closed in {@code afterAll} (also when tests fail), and
 * resolved for parameters of type {@code EmbeddedCluster} from the nearest annotated class.
 *
 * <p>Stateless itself: the cluster lives in the class's extension store, so parallel test classes
 * each get their own. A cluster that fails to start fails the class with the builder's reason.
 */
public final class TribuneClusterExtension implements BeforeAllCallback, AfterAllCallback, ParameterResolver {
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(TribuneClusterExtension.class);
    private static final String KEY = "cluster";

    /** Creates the extension (JUnit does, through {@link TribuneCluster}). */
    public TribuneClusterExtension() {
    }

    /** Starts the class's cluster, unless an enclosing class's already serves it ({@code @Nested}). */
    @Override
    public void beforeAll(ExtensionContext context) {
        if (find(context).isPresent()) {
            return;
        }
        TribuneCluster a = AnnotationSupport.findAnnotation(context.getRequiredTestClass(), TribuneCluster.class)
                .orElseThrow(() -> new ExtensionConfigurationException("TribuneClusterExtension needs @TribuneCluster on "
                        + context.getRequiredTestClass().getName()));
        EmbeddedCluster cluster;
        try {
            cluster = EmbeddedCluster.builder().servers(a.servers()).clients(a.clients()).datacenter(a.datacenter())
                    .bindAddress(a.bindAddress()).logLevel(a.logLevel()).start();
        } catch (IllegalArgumentException e) {
            throw new ExtensionConfigurationException("@TribuneCluster on " + context.getRequiredTestClass().getName()
                    + ": " + e.getMessage(), e);
        }
        context.getStore(NS).put(KEY, cluster);
    }

    /** Closes the cluster this class started. */
    @Override
    public void afterAll(ExtensionContext context) {
        EmbeddedCluster c = context.getStore(NS).remove(KEY, EmbeddedCluster.class);
        if (c != null) {
            c.close();
        }
    }

    /** Parameters of type {@link EmbeddedCluster}. */
    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == EmbeddedCluster.class;
    }

    /** The nearest class's cluster. */
    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return find(context).orElseThrow(() -> new ParameterResolutionException("no embedded cluster runs for "
                + context.getUniqueId() + " (is the class annotated with @TribuneCluster?)"));
    }

    /** The cluster of this context's class or the nearest enclosing one. */
    private static Optional<EmbeddedCluster> find(ExtensionContext context) {
        for (Optional<ExtensionContext> c = Optional.of(context); c.isPresent(); c = c.get().getParent()) {
            EmbeddedCluster found = c.get().getStore(NS).get(KEY, EmbeddedCluster.class);
            if (found != null) {
                return Optional.of(found);
            }
        }
        return Optional.empty();
    }
}
