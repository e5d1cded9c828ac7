package io.slipway.provision.aws;

import io.slipway.provision.ProviderException;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What an EC2 error code means for the caller: one table for the {@code aws} provider and the simulated one, so both
 * answer the same {@link ProviderException.Kind} for the same code.
 */
public final class Ec2Errors {
    /** The code a client-side timeout is reported under (EC2 itself has none: the answer never came). */
    public static final String TIMEOUT = "RequestTimeout";
    /** The code a connection that failed or broke is reported under. */
    public static final String CONNECTION = "ConnectionFailure";

    private static final Pattern NOT_FOUND_IDS = Pattern.compile("instance IDs? '([^']*)'");

    private Ec2Errors() {
    }

    public static ProviderException.Kind kindOf(String code, int httpStatus) {
        if (code != null) {
            switch (code) {
                case "RequestLimitExceeded", "Throttling", "ThrottlingException":
                    return ProviderException.Kind.THROTTLED;
                case "InsufficientInstanceCapacity", "InstanceLimitExceeded", "InsufficientCapacity",
                     "VcpuLimitExceeded":
                    return ProviderException.Kind.CAPACITY;
                case "AuthFailure", "UnauthorizedOperation", "Blocked", "OptInRequired", "SignatureDoesNotMatch",
                     "InvalidClientTokenId":
                    return ProviderException.Kind.AUTH;
                case "InternalError", "Unavailable", "ServiceUnavailable", TIMEOUT, CONNECTION:
                    return ProviderException.Kind.TRANSIENT;
                case "IdempotentParameterMismatch", "InvalidParameterValue", "InvalidParameterCombination",
                     "MissingParameter", "InvalidInstanceID.Malformed", "InvalidInstanceID.NotFound":
                    return ProviderException.Kind.INVALID;
                default:
                    if (code.startsWith("InvalidAMIID.")) {
                        return ProviderException.Kind.INVALID;
                    }
            }
        }
        return httpStatus >= 500 ? ProviderException.Kind.TRANSIENT : ProviderException.Kind.INVALID;
    }

    /** The ids an {@code InvalidInstanceID.NotFound} message names ("The instance IDs 'i-1, i-2' do not exist"). */
    public static List<String> notFoundIds(String message) {
        if (message == null) {
            return List.of();
        }
        Matcher m = NOT_FOUND_IDS.matcher(message);
        return m.find() ? Arrays.stream(m.group(1).split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList()
                : List.of();
    }
}
