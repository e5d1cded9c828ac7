package io.slipway.provision.aws;

import io.slipway.provision.ProviderException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.Consumer;

/**
 * Terminating instances in batches the way EC2 needs it: one id EC2 cannot see fails the whole TerminateInstances
 * call with {@code InvalidInstanceID.NotFound}, so those ids are taken out and the rest terminated; the ids left over
 * were launched a moment ago and are not visible yet (a terminated instance stays visible for about an hour), which
 * is reported as a transient failure so the caller releases them again shortly instead of leaking them.
 */
public final class Ec2Release {
    private Ec2Release() {
    }

    /** Terminates {@code ids} through {@code terminate} (one TerminateInstances call per batch it is given). */
    public static void terminate(Collection<String> ids, Consumer<List<String>> terminate) {
        List<String> notVisible = new ArrayList<>();
        for (List<String> batch : Ec2Batches.of(ids)) {
            List<String> rest = new ArrayList<>(batch);
            while (!rest.isEmpty()) {
                try {
                    terminate.accept(List.copyOf(rest));
                    rest.clear();
                } catch (ProviderException e) {
                    List<String> unseen = "InvalidInstanceID.NotFound".equals(e.code())
                            ? Ec2Errors.notFoundIds(e.getMessage()) : List.of();
                    if (!rest.removeAll(unseen)) {
                        throw e;
                    }
                    notVisible.addAll(unseen);
                }
            }
        }
        if (!notVisible.isEmpty()) {
            throw new ProviderException(ProviderException.Kind.TRANSIENT, "InvalidInstanceID.NotFound",
                    "instances " + notVisible + " are not visible to EC2 yet (just launched) and were not terminated; "
                            + "release them again shortly");
        }
    }
}
