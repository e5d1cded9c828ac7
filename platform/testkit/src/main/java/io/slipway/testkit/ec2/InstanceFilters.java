package io.slipway.testkit.ec2;

import java.util.List;
import java.util.Map;

/** The DescribeInstances filters the simulation understands; a filter with several values matches any of them. */
final class InstanceFilters {
    private InstanceFilters() {
    }

    static boolean matches(Ec2Instance i, Map<String, List<String>> filters) {
        for (Map.Entry<String, List<String>> f : filters.entrySet()) {
            if (!matches(i, f.getKey(), f.getValue())) {
                return false;
            }
        }
        return true;
    }

    private static boolean matches(Ec2Instance i, String name, List<String> values) {
        if (name.startsWith("tag:")) {
            return values.contains(i.tags().get(name.substring(4)));
        }
        return switch (name) {
            case "instance-id" -> values.contains(i.instanceId());
            case "instance-state-name" -> values.contains(i.state().apiName());
            case "instance-type" -> values.contains(i.instanceType());
            case "tag-key" -> values.stream().anyMatch(i.tags()::containsKey);
            default -> throw Ec2Error.client("InvalidParameterValue", "The filter '" + name + "' is invalid");
        };
    }
}
