package io.slipway.cloudimage.offline;

import java.io.IOException;

/**
 * The image does not exist for a platform of the build (its index lacks it, or it is a single image built for another
 * one): nothing a retry could fix, and no reason to think a derived image could pull it for that platform either.
 */
final class NotForPlatformException extends IOException {

    NotForPlatformException(String message) {
        super(message);
    }
}
