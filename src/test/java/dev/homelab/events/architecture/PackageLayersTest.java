package dev.homelab.events.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import org.junit.jupiter.api.Test;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;

/**
 * The package graph is a DAG from the faces down to storage (issue 12): no cycles, no backwards arrows. The
 * layers, top to bottom, are the ones the README's architecture section lists.
 */
class PackageLayersTest {

    private static final String BASE = "dev.homelab.events";

    private static final JavaClasses MAIN = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages(BASE);

    @Test
    void packagesHaveNoCycles() {
        slices().matching(BASE + ".(*)..").should().beFreeOfCycles().check(MAIN);
    }

    @Test
    void everyArrowPointsDown() {
        layeredArchitecture().consideringOnlyDependenciesInLayers()
                .layer("faces").definedBy(BASE + ".rest..", BASE + ".mcp..", BASE + ".health..", BASE + ".console..")
                .optionalLayer("ingest").definedBy(BASE + ".ingest..")
                .layer("security").definedBy(BASE + ".security..")
                .layer("ask").definedBy(BASE + ".ask..")
                .layer("agent").definedBy(BASE + ".agent..")
                .layer("service").definedBy(BASE + ".service..")
                .optionalLayer("replication").definedBy(BASE + ".nats..", BASE + ".audit..")
                .layer("sync").definedBy(BASE + ".sync..")
                .layer("archive").definedBy(BASE + ".archive..")
                .layer("index").definedBy(BASE + ".index..")
                .layer("storage").definedBy(BASE + ".storage..")
                .layer("config").definedBy(BASE + ".config..")

                .whereLayer("faces").mayNotBeAccessedByAnyLayer()
                .whereLayer("ingest").mayOnlyBeAccessedByLayers("faces")
                .whereLayer("security").mayOnlyBeAccessedByLayers("faces", "ingest")
                .whereLayer("ask").mayOnlyBeAccessedByLayers("faces", "ingest", "security")
                .whereLayer("agent").mayOnlyBeAccessedByLayers("faces", "ingest", "security", "ask")
                .whereLayer("service").mayOnlyBeAccessedByLayers("faces", "ingest", "security", "ask", "agent")
                .whereLayer("replication").mayOnlyBeAccessedByLayers("faces", "ingest", "security", "ask", "agent",
                        "service")
                .whereLayer("archive").mayOnlyBeAccessedByLayers("faces", "ingest", "security", "ask", "agent",
                        "service", "replication")
                .whereLayer("sync").mayOnlyBeAccessedByLayers("faces", "ingest", "security", "ask", "agent", "service",
                        "replication", "archive")
                .whereLayer("index").mayOnlyBeAccessedByLayers("faces", "ingest", "security", "ask", "agent",
                        "service", "replication", "archive", "sync")
                .whereLayer("storage").mayOnlyBeAccessedByLayers("faces", "ingest", "security", "ask", "agent",
                        "service", "replication", "archive", "sync", "index")
                .check(MAIN);
    }

    /** Faces speak in domain types: no index or storage type appears in a face, the tool catalog or the ask agent. */
    @Test
    void facesNeverTouchTheIndexOrTheStorage() {
        noClasses().that().resideInAnyPackage(BASE + ".rest..", BASE + ".mcp..", BASE + ".health..", BASE + ".console..",
                BASE + ".security..", BASE + ".agent..", BASE + ".ask..")
                .should().dependOnClassesThat().resideInAnyPackage(BASE + ".index..", BASE + ".storage..")
                .check(MAIN);
    }
}
