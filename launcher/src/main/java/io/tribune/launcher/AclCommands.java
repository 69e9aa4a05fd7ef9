package io.tribune.launcher;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code tribune acl ...}: Consul 1.4's ACL commands over the local agent's HTTP API
 * ({@code bootstrap}, {@code policy create|list|read|update|delete},
 * {@code token create|list|read|update|delete|clone}, {@code set-agent-token}). Each takes
 * {@code -token} (else {@code CONSUL_HTTP_TOKEN}) and {@code -http-addr} like every command, exits 0 on
 * success, 1 on an error from the agent, 2 on bad usage.
 */
final class AclCommands {
    private AclCommands() {
    }

    @Command(addMethodSubcommands = false, name = "acl", description = "Manages ACL tokens and policies.")
    static final class AclRoot extends GroupCommand {
        @Override
        List<Class<?>> subcommands() {
            return List.of(Bootstrap.class, Policy.class, Token.class, SetAgentToken.class);
        }
    }

    @Command(addMethodSubcommands = false, name = "bootstrap", description = "Creates the first management token (once).")
    static final class Bootstrap extends ClientCommands.Base {
        @Override
        int run() throws ApiClient.ApiException {
            printTokenTo(out(), json(api().call("PUT", "/v1/acl/bootstrap", null)));
            return 0;
        }
    }

    // ------------------------------------------------------------------ policies

    @Command(addMethodSubcommands = false, name = "policy", description = "Manages ACL policies.")
    static final class Policy extends GroupCommand {
        @Override
        List<Class<?>> subcommands() {
            return List.of(PolicyCreate.class, PolicyList.class, PolicyRead.class, PolicyUpdate.class,
                    PolicyDelete.class);
        }
    }

    @Command(addMethodSubcommands = false, name = "create", description = "Creates a policy.")
    static final class PolicyCreate extends ClientCommands.Base {
        @Option(names = {"-name", "--name"}, required = true, description = "the policy's name")
        String name;
        @Option(names = {"-description", "--description"}, description = "a description")
        String description = "";
        @Option(names = {"-rules", "--rules"}, description = "the rules, HCL or JSON; @FILE reads a file, - stdin")
        String rules = "";
        @Option(names = {"-valid-datacenter", "--valid-datacenter"}, description = "a datacenter where it applies")
        List<String> datacenters = new ArrayList<>();

        @Override
        int run() throws ApiClient.ApiException, IOException {
            JsonObject body = new JsonObject();
            body.addProperty("Name", name);
            body.addProperty("Description", description);
            body.addProperty("Rules", text(rules));
            body.add("Datacenters", array(datacenters));
            printPolicyTo(out(), json(api().call("PUT", "/v1/acl/policy", bytes(body))));
            return 0;
        }
    }

    @Command(addMethodSubcommands = false, name = "list", description = "Lists the policies.")
    static final class PolicyList extends ClientCommands.Base {
        @Override
        int run() throws ApiClient.ApiException {
            for (JsonElement e : JsonParser.parseString(api().callText("GET", "/v1/acl/policies")).getAsJsonArray()) {
                JsonObject p = e.getAsJsonObject();
                out().println(str(p, "Name") + ":");
                out().println("   ID:           " + str(p, "ID"));
                out().println("   Description:  " + str(p, "Description"));
                out().println("   Datacenters:  " + joined(p.get("Datacenters")));
            }
            return 0;
        }
    }

    /** Finds a policy's ID by name through the list. */
    static String policyId(ApiClient api, String id, String name) throws ApiClient.ApiException {
        if (id != null && !id.isEmpty()) {
            return id;
        }
        if (name == null || name.isEmpty()) {
            throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(new AclRoot()),
                    "-id or -name is required");
        }
        for (JsonElement e : JsonParser.parseString(api.callText("GET", "/v1/acl/policies")).getAsJsonArray()) {
            if (name.equals(str(e.getAsJsonObject(), "Name"))) {
                return str(e.getAsJsonObject(), "ID");
            }
        }
        throw new ApiClient.ApiException(404, "No such policy: " + name);
    }

    @Command(addMethodSubcommands = false, name = "read", description = "Prints a policy.")
    static final class PolicyRead extends ClientCommands.Base {
        @Option(names = {"-id", "--id"}, description = "the policy's ID")
        String id;
        @Option(names = {"-name", "--name"}, description = "the policy's name")
        String name;

        @Override
        int run() throws ApiClient.ApiException {
            String pid = policyId(api(), id, name);
            printPolicyTo(out(), json(api().call("GET", "/v1/acl/policy/" + ApiClient.enc(pid), null)));
            return 0;
        }
    }

    @Command(addMethodSubcommands = false, name = "update", description = "Changes a policy.")
    static final class PolicyUpdate extends ClientCommands.Base {
        @Option(names = {"-id", "--id"}, required = true, description = "the policy's ID")
        String id;
        @Option(names = {"-name", "--name"}, description = "a new name")
        String name;
        @Option(names = {"-description", "--description"}, description = "a new description")
        String description;
        @Option(names = {"-rules", "--rules"}, description = "new rules; @FILE reads a file, - stdin")
        String rules;
        @Option(names = {"-valid-datacenter", "--valid-datacenter"}, description = "datacenters where it applies")
        List<String> datacenters;

        @Override
        int run() throws ApiClient.ApiException, IOException {
            JsonObject cur = json(api().call("GET", "/v1/acl/policy/" + ApiClient.enc(id), null));
            JsonObject body = new JsonObject();
            body.addProperty("ID", id);
            body.addProperty("Name", name != null ? name : str(cur, "Name"));
            body.addProperty("Description", description != null ? description : str(cur, "Description"));
            body.addProperty("Rules", rules != null ? text(rules) : str(cur, "Rules"));
            if (datacenters != null) {
                body.add("Datacenters", array(datacenters));
            } else if (cur.has("Datacenters")) {
                body.add("Datacenters", cur.get("Datacenters"));
            }
            printPolicyTo(out(), json(api().call("PUT", "/v1/acl/policy/" + ApiClient.enc(id), bytes(body))));
            return 0;
        }
    }

    @Command(addMethodSubcommands = false, name = "delete", description = "Deletes a policy.")
    static final class PolicyDelete extends ClientCommands.Base {
        @Option(names = {"-id", "--id"}, description = "the policy's ID")
        String id;
        @Option(names = {"-name", "--name"}, description = "the policy's name")
        String name;

        @Override
        int run() throws ApiClient.ApiException {
            String pid = policyId(api(), id, name);
            api().call("DELETE", "/v1/acl/policy/" + ApiClient.enc(pid), null);
            out().println("Policy \"" + pid + "\" deleted successfully");
            return 0;
        }
    }

    // ------------------------------------------------------------------ tokens

    @Command(addMethodSubcommands = false, name = "token", description = "Manages ACL tokens.")
    static final class Token extends GroupCommand {
        @Override
        List<Class<?>> subcommands() {
            return List.of(TokenCreate.class, TokenList.class, TokenRead.class, TokenUpdate.class,
                    TokenDelete.class, TokenClone.class);
        }
    }

    @Command(addMethodSubcommands = false, name = "create", description = "Creates a token.")
    static final class TokenCreate extends ClientCommands.Base {
        @Option(names = {"-description", "--description"}, description = "a description")
        String description = "";
        @Option(names = {"-policy-id", "--policy-id"}, description = "a policy to link, by ID")
        List<String> policyIds = new ArrayList<>();
        @Option(names = {"-policy-name", "--policy-name"}, description = "a policy to link, by name")
        List<String> policyNames = new ArrayList<>();
        @Option(names = {"-local", "--local"}, description = "keep the token in this datacenter")
        boolean local;

        @Override
        int run() throws ApiClient.ApiException {
            JsonObject body = new JsonObject();
            body.addProperty("Description", description);
            body.add("Policies", links(policyIds, policyNames));
            body.addProperty("Local", local);
            printTokenTo(out(), json(api().call("PUT", "/v1/acl/token", bytes(body))));
            return 0;
        }
    }

    @Command(addMethodSubcommands = false, name = "list", description = "Lists the tokens.")
    static final class TokenList extends ClientCommands.Base {
        @Override
        int run() throws ApiClient.ApiException {
            for (JsonElement e : JsonParser.parseString(api().callText("GET", "/v1/acl/tokens")).getAsJsonArray()) {
                printTokenTo(out(), e.getAsJsonObject());
                out().println();
            }
            return 0;
        }
    }

    @Command(addMethodSubcommands = false, name = "read", description = "Prints a token.")
    static final class TokenRead extends ClientCommands.Base {
        @Option(names = {"-id", "--id"}, description = "the token's AccessorID")
        String id;
        @Option(names = {"-self", "--self"}, description = "the token of this request")
        boolean self;

        @Override
        int run() throws ApiClient.ApiException {
            if (!self && (id == null || id.isEmpty())) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(), "-id or -self is required");
            }
            String path = self ? "/v1/acl/token/self" : "/v1/acl/token/" + ApiClient.enc(id);
            printTokenTo(out(), json(api().call("GET", path, null)));
            return 0;
        }
    }

    @Command(addMethodSubcommands = false, name = "update", description = "Changes a token's description or policies.")
    static final class TokenUpdate extends ClientCommands.Base {
        @Option(names = {"-id", "--id"}, required = true, description = "the token's AccessorID")
        String id;
        @Option(names = {"-description", "--description"}, description = "a new description")
        String description;
        @Option(names = {"-policy-id", "--policy-id"}, description = "a policy to link, by ID")
        List<String> policyIds = new ArrayList<>();
        @Option(names = {"-policy-name", "--policy-name"}, description = "a policy to link, by name")
        List<String> policyNames = new ArrayList<>();
        @Option(names = {"-merge-policies", "--merge-policies"}, description = "keep the token's current policies")
        boolean merge;

        @Override
        int run() throws ApiClient.ApiException {
            JsonObject cur = json(api().call("GET", "/v1/acl/token/" + ApiClient.enc(id), null));
            JsonObject body = new JsonObject();
            body.addProperty("AccessorID", id);
            body.addProperty("Description", description != null ? description : str(cur, "Description"));
            JsonArray links = links(policyIds, policyNames);
            if (merge || (policyIds.isEmpty() && policyNames.isEmpty())) {
                for (JsonElement p : cur.getAsJsonArray("Policies")) {
                    JsonObject l = new JsonObject();
                    l.addProperty("ID", str(p.getAsJsonObject(), "ID"));
                    links.add(l);
                }
            }
            body.add("Policies", links);
            body.addProperty("Local", cur.get("Local").getAsBoolean());
            printTokenTo(out(), json(api().call("PUT", "/v1/acl/token/" + ApiClient.enc(id), bytes(body))));
            return 0;
        }
    }

    @Command(addMethodSubcommands = false, name = "delete", description = "Deletes a token.")
    static final class TokenDelete extends ClientCommands.Base {
        @Option(names = {"-id", "--id"}, required = true, description = "the token's AccessorID")
        String id;

        @Override
        int run() throws ApiClient.ApiException {
            api().call("DELETE", "/v1/acl/token/" + ApiClient.enc(id), null);
            out().println("Token \"" + id + "\" deleted successfully");
            return 0;
        }
    }

    @Command(addMethodSubcommands = false, name = "clone", description = "Creates a token with the same policies as another.")
    static final class TokenClone extends ClientCommands.Base {
        @Option(names = {"-id", "--id"}, required = true, description = "the AccessorID of the token to clone")
        String id;
        @Option(names = {"-description", "--description"}, description = "the new token's description")
        String description = "";

        @Override
        int run() throws ApiClient.ApiException {
            JsonObject body = new JsonObject();
            body.addProperty("Description", description);
            printTokenTo(out(), json(api().call("PUT", "/v1/acl/token/" + ApiClient.enc(id) + "/clone", bytes(body))));
            return 0;
        }
    }

    @Command(addMethodSubcommands = false, name = "set-agent-token", description = "Sets one of the agent's tokens: default, agent, agent_master "
            + "or replication.")
    static final class SetAgentToken extends ClientCommands.Base {
        @Parameters(index = "0", paramLabel = "KIND", description = "default, agent, agent_master or replication")
        String kind;
        @Parameters(index = "1", paramLabel = "TOKEN", description = "the token's SecretID")
        String value;

        @Override
        int run() throws ApiClient.ApiException {
            JsonObject body = new JsonObject();
            body.addProperty("Token", value);
            api().call("PUT", "/v1/agent/token/" + ApiClient.enc(kind), bytes(body));
            out().println("ACL token \"" + kind + "\" set successfully");
            return 0;
        }
    }

    // ------------------------------------------------------------------ helpers

    private static JsonObject json(byte[] body) {
        return JsonParser.parseString(new String(body, StandardCharsets.UTF_8)).getAsJsonObject();
    }

    private static byte[] bytes(JsonObject o) {
        return o.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static JsonArray array(List<String> l) {
        JsonArray a = new JsonArray();
        l.forEach(a::add);
        return a;
    }

    private static JsonArray links(List<String> ids, List<String> names) {
        JsonArray a = new JsonArray();
        for (String id : ids) {
            JsonObject l = new JsonObject();
            l.addProperty("ID", id);
            a.add(l);
        }
        for (String n : names) {
            JsonObject l = new JsonObject();
            l.addProperty("Name", n);
            a.add(l);
        }
        return a;
    }

    /** {@code -rules}: the text itself, {@code @FILE}, or {@code -} for standard input. */
    static String text(String arg) throws IOException {
        if (arg.equals("-")) {
            return new String(System.in.readAllBytes(), StandardCharsets.UTF_8);
        }
        if (arg.startsWith("@")) {
            return Files.readString(Path.of(arg.substring(1)), StandardCharsets.UTF_8);
        }
        return arg;
    }

    private static String str(JsonObject o, String k) {
        JsonElement e = o.get(k);
        return e == null || e.isJsonNull() ? "" : e.getAsString();
    }

    private static String joined(JsonElement e) {
        if (e == null || !e.isJsonArray()) {
            return "";
        }
        List<String> out = new ArrayList<>();
        e.getAsJsonArray().forEach(x -> out.add(x.getAsString()));
        return String.join(", ", out);
    }

    static void printTokenTo(java.io.PrintWriter out, JsonObject t) {
        out.println("AccessorID:   " + str(t, "AccessorID"));
        if (t.has("SecretID")) {
            out.println("SecretID:     " + str(t, "SecretID"));
        }
        out.println("Description:  " + str(t, "Description"));
        out.println("Local:        " + (t.has("Local") && t.get("Local").getAsBoolean()));
        out.println("Create Time:  " + str(t, "CreateTime"));
        out.println("Policies:");
        if (t.has("Policies") && t.get("Policies").isJsonArray()) {
            for (JsonElement p : t.getAsJsonArray("Policies")) {
                out.println("   " + str(p.getAsJsonObject(), "ID") + " - " + str(p.getAsJsonObject(), "Name"));
            }
        }
    }

    static void printPolicyTo(java.io.PrintWriter out, JsonObject p) {
        out.println("ID:           " + str(p, "ID"));
        out.println("Name:         " + str(p, "Name"));
        out.println("Description:  " + str(p, "Description"));
        out.println("Datacenters:  " + joined(p.get("Datacenters")));
        out.println("Rules:");
        out.println(str(p, "Rules"));
    }
}
