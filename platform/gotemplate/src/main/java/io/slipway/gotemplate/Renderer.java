package io.slipway.gotemplate;

import io.slipway.gotemplate.GoTemplate.Node;
import io.slipway.gotemplate.GoTemplate.Operand;
import io.slipway.gotemplate.GoTemplate.Pipeline;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** One rendering: walks the nodes with dot and the variables in scope, as Go's executor does. */
final class Renderer {
    private final String name;
    private final Object root;
    private final GoTemplate.Options options;

    Renderer(String name, Object root, GoTemplate.Options options) {
        this.name = name;
        this.root = root;
        this.options = options;
    }

    /** Dot, and the variables of this block (a block sees its enclosing blocks' variables; its own end with it). */
    record Scope(Object dot, Frame frame) {
        Scope inner(Object newDot) {
            return new Scope(newDot, new Frame(frame));
        }
    }

    static final class Frame {
        final Frame parent;
        final Map<String, Object> variables = new HashMap<>();

        Frame(Frame parent) {
            this.parent = parent;
        }
    }

    void run(List<Node> nodes, Scope scope, StringBuilder out) {
        Scope s = scope.frame() == null ? new Scope(scope.dot(), new Frame(null)) : scope;
        for (Node node : nodes) {
            switch (node) {
                case Node.Text t -> out.append(t.text());
                case Node.Print p -> {
                    Object v = eval(p.pipeline(), s);
                    if (p.pipeline().variables().isEmpty()) {
                        out.append(print(v, p.line()));
                    }
                }
                case Node.If i -> runIf(i, s, out);
                case Node.Range r -> runRange(r, s, out);
                case Node.With w -> {
                    Object v = eval(w.pipeline(), s);
                    if (Values.truthy(v)) {
                        run(w.body(), s.inner(v), out);
                    } else {
                        run(w.otherwise(), s.inner(s.dot()), out);
                    }
                }
            }
        }
    }

    private void runIf(Node.If node, Scope scope, StringBuilder out) {
        for (int b = 0; b < node.conditions().size(); b++) {
            Scope inner = scope.inner(scope.dot());
            if (Values.truthy(eval(node.conditions().get(b), inner))) {
                run(node.branches().get(b), inner, out);
                return;
            }
        }
        run(node.otherwise(), scope.inner(scope.dot()), out);
    }

    private void runRange(Node.Range node, Scope scope, StringBuilder out) {
        Pipeline p = node.pipeline();
        Object over = evalCommands(p, scope);
        List<Object> keys = new ArrayList<>();
        List<Object> items = new ArrayList<>();
        if (over == null || Values.isMissing(over)) {
            // Go: nothing to range over is not an error, the else branch runs
        } else if (over instanceof Map<?, ?> m) {
            Values.stringKeys(m).forEach((k, v) -> {
                keys.add(k);
                items.add(v);
            });
        } else if (over instanceof Collection<?> c) {
            long i = 0;
            for (Object item : c) {
                keys.add(i++);
                items.add(item);
            }
        } else if (options.rangeOver() != null) {
            long i = 0;
            for (Object item : options.rangeOver().apply(over)) {
                keys.add(i++);
                items.add(item);
            }
        } else {
            throw new TemplateError(name, node.line(), "range cannot iterate over " + Functions.describe(over));
        }
        if (items.isEmpty()) {
            run(node.otherwise(), scope.inner(scope.dot()), out);
            return;
        }
        for (int i = 0; i < items.size(); i++) {
            Scope inner = scope.inner(items.get(i));
            List<String> vars = p.variables();
            if (vars.size() == 1) {
                inner.frame().variables.put(vars.get(0), items.get(i));
            } else if (vars.size() == 2) {
                inner.frame().variables.put(vars.get(0), keys.get(i));
                inner.frame().variables.put(vars.get(1), items.get(i));
            }
            run(node.body(), inner, out);
        }
    }

    /** A pipeline's value; a declaration or assignment takes effect in {@code scope}. */
    private Object eval(Pipeline p, Scope scope) {
        Object value = evalCommands(p, scope);
        if (!p.variables().isEmpty()) {
            String var = p.variables().get(0);
            if (p.declares()) {
                scope.frame().variables.put(var, value);
            } else {
                Frame f = scope.frame();
                while (f != null && !f.variables.containsKey(var)) {
                    f = f.parent;
                }
                if (f == null) {
                    throw new TemplateError(name, p.line(), "undefined variable " + var + " (declare it with :=)");
                }
                f.variables.put(var, value);
            }
        }
        return value;
    }

    private Object evalCommands(Pipeline p, Scope scope) {
        Object value = null;
        boolean first = true;
        for (GoTemplate.Command c : p.commands()) {
            List<Object> args = new ArrayList<>();
            for (Operand o : c.args()) {
                args.add(operand(o, scope, p.line()));
            }
            if (!first) {
                args.add(value);
            }
            value = c.function() == null ? args.get(0) : Functions.call(name, p.line(), c.function(), args);
            first = false;
        }
        return value;
    }

    private Object operand(Operand o, Scope scope, int line) {
        return switch (o) {
            case Operand.Literal l -> l.value();
            case Operand.Field f -> walk(scope.dot(), f.path(), line);
            case Operand.Variable v -> walk(variable(v.name(), scope, line), v.path(), line);
            case Operand.Sub s -> walk(evalCommands(s.pipeline(), scope), s.path(), line);
        };
    }

    private Object variable(String var, Scope scope, int line) {
        if (var.equals("$")) {
            return root;
        }
        for (Frame f = scope.frame(); f != null; f = f.parent) {
            if (f.variables.containsKey(var)) {
                return f.variables.get(var);
            }
        }
        throw new TemplateError(name, line, "undefined variable " + var);
    }

    /** Fields of maps, key by key; a key that is not set (or one below it) is no value, as on Go's map data. */
    private Object walk(Object base, List<String> path, int line) {
        Object current = base;
        for (String key : path) {
            if (current instanceof Map<?, ?> m) {
                current = m.containsKey(key) ? m.get(key) : new Values.NoValue(key);
            } else if (current == null || Values.isMissing(current)) {
                current = new Values.NoValue(current instanceof Values.NoValue n ? n.key() : key);
            } else {
                throw new TemplateError(name, line, "cannot read field ." + key + " of " + Functions.describe(current));
            }
        }
        return current;
    }

    private String print(Object v, int line) {
        if (v instanceof Values.NoValue n) {
            if (options.strictMissingKeys()) {
                throw new TemplateError(name, line, "key ." + n.key() + " is not set", n.key());
            }
            return n.toString();
        }
        if (v instanceof Map<?, ?> || v instanceof Collection<?>) {
            return options.printer().apply(v);
        }
        return Values.scalar(v);
    }
}
