package io.slipway.testkit.ec2;

import java.util.List;

/** One page of DescribeInstances; {@code nextToken} is null on the last. */
public record DescribePage(List<Ec2Instance> instances, String nextToken) {
    public DescribePage {
        instances = List.copyOf(instances);
    }
}
