package io.tribune.acl;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class HclSyntaxTest {
    private static String fault(String text) {
        return assertThrows(HclSyntax.SyntaxException.class, () -> HclSyntax.check(text)).getMessage();
    }

    @Test
    void wellFormedTextPasses() {
        assertDoesNotThrow(() -> HclSyntax.check("""
                # an agent's config
                datacenter = "dc1"   // trailing comment
                /* a block comment { with [ brackets
                   over lines */
                ports {
                  http = 8500
                  dns  = -1
                }
                retry_join = ["10.0.0.1", "10.0.0.2"]
                node_meta { rack = "r1 } ] ) \\" {" }
                template = "${lookup(var.m, "k}")}-x"
                script = <<EOF
                  echo "unbalanced { [ (
                EOF
                indented = <<-END
                    ] } )
                    END
                key "foo/" { policy = "write" }
                """));
        assertDoesNotThrow(() -> HclSyntax.check(""));
        assertDoesNotThrow(() -> HclSyntax.check("a = 1 << 2\n"), "'<<' not followed by a name is no heredoc");
    }

    @Test
    void eachStructuralFaultIsNamedWhereItIs() {
        assertEquals("line 2, column 7: '{' is never closed", fault("a = 1\nports {\n  http = 1\n"));
        assertEquals("line 4, column 1: '}' closes nothing", fault("ports {\n  http = 1\n}\n}\n"));
        assertEquals("line 1, column 5: '[' is never closed", fault("x = [1, 2"));
        assertEquals("line 1, column 9: ']' where '}' closes the '{' of line 1, column 5",
                fault("x = { a ]"));
        assertEquals("line 1, column 5: string is never closed", fault("s = \"abc"));
        assertEquals("line 1, column 5: string is not closed on its line", fault("s = \"abc\nt = 1\n"));
        assertEquals("line 2, column 1: comment '/*' is never closed", fault("a = 1\n/* open\n"));
        assertEquals("line 1, column 5: heredoc 'EOF' has no end line 'EOF'", fault("s = <<EOF\nline\n"));
        assertEquals("line 1, column 6: '${' is never closed", fault("s = \"${x"));
        assertEquals("line 1, column 6: '${' is not closed on its line", fault("s = \"${x\n}\"\n"));
    }
}
