package io.tribune.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** A command that only groups others, run alone, is a usage error naming what it groups. */
class GroupCommandTest {
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "kv | get, put, delete, export or import",
        "services | register or deregister",
        "catalog | services, nodes or datacenters",
        "operator | raft",
        "operator raft | list-peers or remove-peer",
        "snapshot | save, restore or inspect",
        "acl policy | create, list, read, update or delete",
    })
    void aGroupWithoutASubcommandNamesItsSubcommandsAndExitsWithUsage(String command, String names) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Main.execute(command.split(" "), new PrintWriter(out, true), new PrintWriter(err, true));
        assertEquals(Main.EXIT_USAGE, exit, err.toString());
        assertTrue(err.toString().contains("a subcommand is required: " + names), err.toString());
    }
}
