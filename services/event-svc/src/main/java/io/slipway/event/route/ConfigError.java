package io.slipway.event.route;

import io.slipway.yaml.YamlError;

/**
 * A routing configuration that cannot be used, with where the problem is: the line and column in the YAML text and
 * the path of the field ({@code receivers[0].dingtalk.url}). Messages never carry the value of a secret field.
 */
public class ConfigError extends YamlError {

    public ConfigError(String path, int line, int column, String problem) {
        super(path, line, column, problem);
    }

    /** The reader's error about the routing file, as the routes' own. */
    static ConfigError of(YamlError e) {
        return e instanceof ConfigError own ? own : new ConfigError(e.path(), e.line(), e.column(), e.problem());
    }
}
