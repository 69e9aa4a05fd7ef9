package io.tribune.agent.local;

import com.google.gson.JsonElement;
import com.google.gson.JsonParser;
import io.tribune.agent.config.AgentConfig;
import io.tribune.agent.config.ConfigException;
import io.tribune.agent.rpc.AgentException;
import io.tribune.agent.rpc.AgentOps.CheckDefinition;
import io.tribune.agent.rpc.AgentOps.ServiceDefinition;
import io.tribune.state.HealthCheck;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The services and checks of the config files ({@code services} / {@code service},
 * {@code checks} / {@code check}, with Consul's field names in either spelling: {@code Port} or
 * {@code port}, {@code SuccessBeforePassing} or {@code success_before_passing}). They are read
 * exactly as the agent API reads them, so a definition valid in one place is valid in the other.
 */
public final class ConfigServices {
    private ConfigServices() {
    }

    /**
     * Checks every definition of {@code config} as the agent will register it at start.
     *
     * @throws ConfigException naming the key ({@code services[1]}, {@code checks[0]}) and the problem,
     *                         including a script check while {@code enable_script_checks} is off
     */
    public static void validate(AgentConfig config) {
        List<ServiceDefinition> services = services(config);
        Set<String> ids = new LinkedHashSet<>();
        for (int i = 0; i < services.size(); i++) {
            String id = services.get(i).service().id();
            if (!ids.add(id)) {
                throw new ConfigException("services[" + i + "]: service ID \"" + id + "\" is defined twice");
            }
        }
        List<CheckDefinition> checks = checks(config);
        for (int i = 0; i < checks.size(); i++) {
            String sid = checks.get(i).check().serviceId();
            if (!sid.isEmpty() && !ids.contains(sid)) {
                throw new ConfigException("checks[" + i + "]: ServiceID \"" + sid + "\" names no service of the "
                        + "config");
            }
        }
    }

    static List<ServiceDefinition> services(AgentConfig config) {
        return services(config, config.enableScriptChecks());
    }

    /** The services of {@code config}, script checks allowed only if {@code scripts} (a reload keeps the running value). */
    static List<ServiceDefinition> services(AgentConfig config, boolean scripts) {
        List<ServiceDefinition> out = new ArrayList<>();
        for (int i = 0; i < config.services().size(); i++) {
            String key = "services[" + i + "]";
            JsonIn in = in(config.services().get(i), key);
            out.add(read(key, () -> CheckDefinitions.service(in, config.nodeName(), scripts)));
        }
        return out;
    }

    static List<CheckDefinition> checks(AgentConfig config) {
        return checks(config, config.enableScriptChecks());
    }

    static List<CheckDefinition> checks(AgentConfig config, boolean scripts) {
        List<CheckDefinition> out = new ArrayList<>();
        for (int i = 0; i < config.checks().size(); i++) {
            String key = "checks[" + i + "]";
            JsonIn in = in(config.checks().get(i), key);
            out.add(read(key, () -> CheckDefinitions.check(in, config.nodeName(), scripts)));
        }
        return out;
    }

    private static JsonIn in(String json, String key) {
        JsonElement e = JsonParser.parseString(json);
        if (!e.isJsonObject()) {
            throw new ConfigException(key + " must be an object");
        }
        return read(key, () -> JsonIn.of(CheckDefinitions.normalizeConfigKeys(e.getAsJsonObject()), key));
    }

    private static <T> T read(String key, java.util.function.Supplier<T> s) {
        try {
            return s.get();
        } catch (AgentException e) {
            String m = e.getMessage().replace("Request decode failed: ", "");
            // Every message starts with the key, so a reader finds the definition at once.
            throw new ConfigException(m.startsWith(key) ? m : key + ": " + m, e);
        }
    }
}
