package io.slipway.yaml;

import java.io.StringReader;
import java.util.Iterator;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Reads YAML text (JSON too: it is YAML) into {@link YamlNode}s. Only the node graph is composed: no Java object is
 * ever constructed from a tag, so a file cannot make the reader run code.
 *
 * <p>Two modes. {@link #strict()} is for the files users write for Slipway (Clusterfiles, routes, sync rules): a key
 * written twice or a key that is not a plain string is an error, and documents are small. {@link #lenient()} is for
 * files written for something else (Kubernetes manifests, rendered charts) that Slipway only looks into: it reads
 * what Kubernetes would and skips keys it cannot name.
 */
public final class YamlReader {
    /** Users' own files are small; a megabyte is far beyond any real one. */
    private static final int STRICT_CODE_POINTS = 1024 * 1024;
    private static final int STRICT_ALIASES = 50;

    private final boolean strict;
    private final int maxCodePoints;
    private final int maxAliases;

    private YamlReader(boolean strict, int maxCodePoints, int maxAliases) {
        this.strict = strict;
        this.maxCodePoints = maxCodePoints;
        this.maxAliases = maxAliases;
    }

    /** Duplicate and non-string keys are errors; at most 1 MiB and 50 aliases (no billion laughs). */
    public static YamlReader strict() {
        return new YamlReader(true, STRICT_CODE_POINTS, STRICT_ALIASES);
    }

    /** A repeated key keeps its last value and a complex key is skipped; SnakeYAML's default size and alias limits. */
    public static YamlReader lenient() {
        LoaderOptions defaults = new LoaderOptions();
        return new YamlReader(false, defaults.getCodePointLimit(), defaults.getMaxAliasesForCollections());
    }

    /** The same mode with another limit on the text's length, in code points. */
    public YamlReader maxCodePoints(int limit) {
        return new YamlReader(strict, limit, maxAliases);
    }

    /**
     * The one document of {@code text}; no document at all is a null node (an empty map to {@link YamlNode#entries()}).
     * More than one document, or text that is not YAML, is a {@link YamlError} with the line and column.
     */
    public YamlNode read(String text) {
        try {
            return root(text, yaml().compose(new StringReader(text)));
        } catch (YAMLException | NumberFormatException e) {
            throw syntaxError(e);
        }
    }

    /**
     * Every document of {@code text}, composed as the iteration reaches it: the documents before a syntax error are
     * returned, and then {@code next()} throws the {@link YamlError}. An empty document is a null node.
     */
    public Iterable<YamlNode> readAll(String text) {
        return () -> new Iterator<>() {
            private final Iterator<Node> documents = yaml().composeAll(new StringReader(text)).iterator();

            @Override
            public boolean hasNext() {
                try {
                    return documents.hasNext();
                } catch (YAMLException | NumberFormatException e) {
                    throw syntaxError(e);
                }
            }

            @Override
            public YamlNode next() {
                try {
                    return root(text, documents.next());
                } catch (YAMLException | NumberFormatException e) {
                    throw syntaxError(e);
                }
            }
        };
    }

    private YamlNode root(String text, Node node) {
        return new YamlNode(text, node, null, "", strict);
    }

    private Yaml yaml() {
        LoaderOptions options = new LoaderOptions();
        options.setMaxAliasesForCollections(maxAliases);
        options.setCodePointLimit(maxCodePoints);
        return new Yaml(options);
    }

    /**
     * SnakeYAML's own errors, and the few it lets escape: a {@code \\u} escape cut short in a double-quoted string is a
     * {@link NumberFormatException} from inside its scanner (found by fuzzing).
     */
    private static YamlError syntaxError(RuntimeException e) {
        if (e instanceof NumberFormatException) {
            return new YamlError("", 0, 0, "not valid YAML: an escape sequence in a double-quoted string is cut short or not hexadecimal");
        }
        if (e instanceof MarkedYAMLException marked) {
            Mark mark = marked.getProblemMark() != null ? marked.getProblemMark() : marked.getContextMark();
            StringBuilder problem = new StringBuilder("not valid YAML: ");
            if (marked.getContext() != null) {
                problem.append(marked.getContext().strip()).append(", ");
            }
            problem.append(marked.getProblem() != null ? marked.getProblem().strip() : marked.getMessage());
            return new YamlError("", mark == null ? 0 : mark.getLine() + 1, mark == null ? 0 : mark.getColumn() + 1, problem.toString());
        }
        return new YamlError("", 0, 0, "not valid YAML: " + e.getMessage());
    }
}
