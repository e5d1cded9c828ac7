package io.slipway.testkit.ec2;

import java.util.List;
import java.util.Map;

/**
 * A DescribeInstances call: by ids (an id not visible fails the whole call with {@code InvalidInstanceID.NotFound}, as
 * EC2 does) or by filters (an id not visible is simply absent), paged by {@code maxResults} (5-1000, not with ids) and
 * {@code nextToken}. Filters: {@code instance-id}, {@code instance-state-name}, {@code instance-type}, {@code tag-key},
 * {@code tag:<key>}.
 */
public record DescribeInstances(List<String> instanceIds, Map<String, List<String>> filters, Integer maxResults,
                                String nextToken) {
    public DescribeInstances {
        instanceIds = instanceIds == null ? List.of() : List.copyOf(instanceIds);
        filters = filters == null ? Map.of() : Map.copyOf(filters);
    }

    public static DescribeInstances byFilters(Map<String, List<String>> filters, Integer maxResults, String nextToken) {
        return new DescribeInstances(List.of(), filters, maxResults, nextToken);
    }

    /** EC2 throttles describes with neither filters, ids nor paging in a smaller bucket of their own. */
    boolean unfilteredAndUnpaged() {
        return instanceIds.isEmpty() && filters.isEmpty() && maxResults == null && nextToken == null;
    }
}
