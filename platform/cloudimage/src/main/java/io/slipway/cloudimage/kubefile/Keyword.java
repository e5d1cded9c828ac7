package io.slipway.cloudimage.kubefile;

import java.util.Locale;
import java.util.Optional;

/** The instructions a Kubefile may use, sealer's set. */
public enum Keyword {
    FROM(true),
    ARG(true),
    ENV(true),
    LABEL(true),
    MAINTAINER(false),
    COPY(true),
    ADD(true),
    RUN(false),
    APP(true),
    APPCMDS(false),
    APPENV(true),
    CNI(true),
    CSI(true),
    KUBEVERSION(true),
    LAUNCH(true),
    CMDS(false),
    /** Deprecated form of {@link #CMDS}: one shell command per instruction. */
    CMD(false);

    private final boolean substitutes;

    Keyword(boolean substitutes) {
        this.substitutes = substitutes;
    }

    /**
     * Whether {@code $VAR} in the arguments is replaced at build time. Commands (RUN, CMDS, APPCMDS, CMD) are not
     * touched: RUN sees ARG and ENV values as environment variables and the cluster commands run later, with the
     * cluster's own environment.
     */
    public boolean substitutes() {
        return substitutes;
    }

    /** Whether the instruction adds files to the image, hence a layer. */
    public boolean producesLayer() {
        return switch (this) {
            case COPY, ADD, RUN, APP, CNI, CSI -> true;
            default -> false;
        };
    }

    /** APP, CNI and CSI all declare an application. */
    public boolean declaresApp() {
        return this == APP || this == CNI || this == CSI;
    }

    public static Optional<Keyword> of(String word) {
        try {
            return Optional.of(valueOf(word.toUpperCase(Locale.ROOT)));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
