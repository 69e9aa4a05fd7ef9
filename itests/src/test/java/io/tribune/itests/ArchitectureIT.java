package io.tribune.itests;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.Location;
import com.tngtech.archunit.lang.ArchRule;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The layering of the agent, checked with ArchUnit on the jars the distribution ships (the host's
 * {@code lib/} and every plugin's own jar), so a rule holds for what users run:
 *
 * <ul>
 *   <li>below the front ends (agent core, state machine, platform, SPI) there is no HTTP server,
 *       HTTP client, gRPC or Netty type: HTTP is one front end, not the agent's internal language
 *       (the one exception is Consul's HTTP health check, which calls the checked service);</li>
 *   <li>front ends (HTTP, gRPC API, DNS) reach the agent only through its request layer and the
 *       exported packages, never its routing, server endpoints or wire schema, and not each other;</li>
 *   <li>plugins see only the SPI ({@code io.tribune.api}), never the agent, the state machine or a
 *       front end, so a third-party plugin can be built against the SPI alone.</li>
 * </ul>
 */
class ArchitectureIT {
    private static final Path DIST = Path.of(System.getProperty("tribune.dist", "../bundles/target/dist"));
    private static JavaClasses classes;

    @BeforeAll
    static void importDistribution() throws IOException {
        List<Location> jars;
        try (Stream<Path> s = Files.walk(DIST)) {
            jars = s.filter(p -> p.getFileName().toString().matches("tribune-.*\\.jar"))
                    .map(p -> Location.of(p.toAbsolutePath().toUri())).toList();
        }
        assertTrue(jars.size() >= 15, "the distribution's Tribune jars: " + jars);
        classes = new ClassFileImporter().importLocations(jars);
    }

    /** The agent core and what it stands on: the SPI without the gRPC API's generated stubs (io.tribune.api.grpc). */
    private static final String[] CORE = {"io.tribune.agent..", "io.tribune.state..", "io.tribune.platform..",
        "io.tribune.api", "io.tribune.api.consensus..", "io.tribune.api.membership..", "io.tribune.api.storage..",
        "io.tribune.api.transport.."};
    private static final String[] FRONT_ENDS = {"io.tribune.http..", "io.tribune.grpcapi..", "io.tribune.dns.."};
    private static final String[] PLUGINS = {"io.tribune.raft..", "io.tribune.gossip..", "io.tribune.transport..",
        "io.tribune.storage..", "io.tribune.membership..", "io.tribune.consensus.."};

    @Test
    void theCoreSpeaksNoHttpGrpcOrNetty() {
        ArchRule rule = noClasses().that().resideInAnyPackage(CORE)
                .and().doNotHaveFullyQualifiedName("io.tribune.agent.local.CheckProbes")
                .should().dependOnClassesThat().resideInAnyPackage("com.sun.net.httpserver..", "java.net.http..",
                        "io.grpc..", "io.netty..")
                .because("HTTP is one front end of the agent, not its internal language (issue 12); only the "
                        + "HTTP health check calls out over HTTP");
        rule.check(classes);
    }

    @Test
    void theCoreDependsOnNoFrontEnd() {
        noClasses().that().resideInAnyPackage(CORE).should().dependOnClassesThat().resideInAnyPackage(FRONT_ENDS)
                .check(classes);
    }

    @Test
    void frontEndsUseTheRequestLayerOnly() {
        noClasses().that().resideInAnyPackage(FRONT_ENDS).should().dependOnClassesThat().resideInAnyPackage(
                "io.tribune.agent.rpc.internal..", "io.tribune.agent.rpc.wire..", "io.tribune.agent.server..")
                .because("routing, forwarding, holding and the servers' endpoints are decided once, below the "
                        + "front ends")
                .check(classes);
        for (String fe : FRONT_ENDS) {
            List<String> others = Stream.of(FRONT_ENDS).filter(o -> !o.equals(fe)).toList();
            noClasses().that().resideInAPackage(fe).should().dependOnClassesThat()
                    .resideInAnyPackage(others.toArray(String[]::new)).check(classes);
        }
    }

    @Test
    void pluginsSeeOnlyTheSpi() {
        noClasses().that().resideInAnyPackage(PLUGINS).should().dependOnClassesThat().resideInAnyPackage(
                "io.tribune.agent..", "io.tribune.state..", "io.tribune.platform..", "io.tribune.launcher..",
                "io.tribune.http..", "io.tribune.grpcapi..", "io.tribune.dns..")
                .because("a plugin is built against the SPI alone and runs in its own class space")
                .check(classes);
    }
}
