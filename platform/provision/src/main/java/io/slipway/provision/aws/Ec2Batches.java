package io.slipway.provision.aws;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;

/** EC2's per-call limits on ids, and splitting a caller's ids to fit them. */
public final class Ec2Batches {
    /** The most instance ids one DescribeInstances or TerminateInstances carries from Slipway. */
    public static final int MAX_IDS = 100;

    private Ec2Batches() {
    }

    /** The distinct ids, in order, in batches of at most {@link #MAX_IDS}. */
    public static List<List<String>> of(Collection<String> ids) {
        List<String> distinct = new ArrayList<>(new LinkedHashSet<>(ids));
        List<List<String>> batches = new ArrayList<>();
        for (int from = 0; from < distinct.size(); from += MAX_IDS) {
            batches.add(List.copyOf(distinct.subList(from, Math.min(distinct.size(), from + MAX_IDS))));
        }
        return batches;
    }
}
