package io.slipway.compose;

import java.lang.annotation.Annotation;
import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.Executable;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The property names a class declares, read by reflection the way SmallRye Config derives them: a
 * {@code @ConfigMapping} interface's prefix, then per method its {@code @WithName} or its name in the mapping's naming
 * strategy (kebab-case unless said otherwise), nested groups, maps ({@code *} for the key) and lists of groups
 * ({@code [*]}); and the names of {@code @ConfigProperty} injections. Annotations are matched by name: the classes come
 * from the service's own class loader.
 */
final class ConfigMappingKeys {
    private static final String CONFIG_MAPPING = "io.smallrye.config.ConfigMapping";
    private static final String WITH_NAME = "io.smallrye.config.WithName";
    private static final String WITH_PARENT_NAME = "io.smallrye.config.WithParentName";
    private static final String CONFIG_PROPERTY = "org.eclipse.microprofile.config.inject.ConfigProperty";

    private ConfigMappingKeys() {
    }

    /** The keys of {@code type} if it is a {@code @ConfigMapping}; none otherwise. */
    static List<String> of(Class<?> type) {
        Optional<Annotation> mapping = annotation(type, CONFIG_MAPPING);
        if (mapping.isEmpty()) {
            return List.of();
        }
        String prefix = (String) value(mapping.get(), "prefix");
        String strategy = ((Enum<?>) value(mapping.get(), "namingStrategy")).name();
        List<String> out = new ArrayList<>();
        group(type, prefix, strategy, out);
        return out;
    }

    /** The names of the {@code @ConfigProperty} injections (fields and parameters) of {@code type} that give one. */
    static List<String> injectedProperties(Class<?> type) {
        List<AnnotatedElement> sites = new ArrayList<>(List.of(type.getDeclaredFields()));
        Stream.concat(Stream.of(type.getDeclaredConstructors()), Stream.of(type.getDeclaredMethods()))
                .map(Executable::getParameters).forEach(ps -> sites.addAll(List.of(ps)));
        List<String> out = new ArrayList<>();
        for (AnnotatedElement site : sites) {
            annotation(site, CONFIG_PROPERTY).map(a -> (String) value(a, "name")).filter(n -> !n.isEmpty()).ifPresent(out::add);
        }
        return out;
    }

    private static void group(Class<?> type, String prefix, String strategy, List<String> out) {
        for (Method m : type.getMethods()) {
            if (m.isDefault() || Modifier.isStatic(m.getModifiers()) || m.getParameterCount() > 0 || m.getDeclaringClass() == Object.class) {
                continue;
            }
            String name;
            if (annotation(m, WITH_PARENT_NAME).isPresent()) {
                name = prefix;
            } else {
                String own = annotation(m, WITH_NAME).map(a -> (String) value(a, "value")).orElseGet(() -> named(m.getName(), strategy));
                name = prefix.isEmpty() ? own : prefix + "." + own;
            }
            member(m.getGenericReturnType(), name, strategy, out);
        }
    }

    private static void member(Type type, String name, String strategy, List<String> out) {
        Class<?> raw = raw(type);
        if (raw == Optional.class || Collection.class.isAssignableFrom(raw)) {
            Type element = argument(type, 0);
            if (isGroup(raw(element))) {
                group(raw(element), raw == Optional.class ? name : name + "[*]", strategy, out);
            } else {
                out.add(name);
            }
        } else if (Map.class.isAssignableFrom(raw)) {
            member(argument(type, 1), name + ".*", strategy, out);
        } else if (isGroup(raw)) {
            group(raw, name, strategy, out);
        } else {
            out.add(name);
        }
    }

    /** A nested group: an interface of the application's, not a value type such as {@code java.nio.file.Path}. */
    private static boolean isGroup(Class<?> c) {
        return c.isInterface() && !c.getName().startsWith("java.");
    }

    /** SmallRye's naming strategies: KEBAB_CASE (the default), VERBATIM, SNAKE_CASE. */
    static String named(String method, String strategy) {
        if (strategy.equals("VERBATIM")) {
            return method;
        }
        char separator = strategy.equals("SNAKE_CASE") ? '_' : '-';
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < method.length(); i++) {
            char c = method.charAt(i);
            if (Character.isUpperCase(c)) {
                if (i > 0 && !Character.isUpperCase(method.charAt(i - 1))) {
                    b.append(separator);
                }
                b.append(Character.toLowerCase(c));
            } else {
                b.append(c);
            }
        }
        return b.toString().toLowerCase(Locale.ROOT);
    }

    private static Class<?> raw(Type t) {
        if (t instanceof Class<?> c) {
            return c;
        }
        if (t instanceof ParameterizedType p) {
            return (Class<?>) p.getRawType();
        }
        return Object.class; // a wildcard or type variable: taken as a value
    }

    private static Type argument(Type t, int index) {
        return t instanceof ParameterizedType p ? p.getActualTypeArguments()[index] : Object.class;
    }

    private static Optional<Annotation> annotation(AnnotatedElement e, String name) {
        return Stream.of(e.getAnnotations()).filter(a -> a.annotationType().getName().equals(name)).findFirst();
    }

    private static Object value(Annotation a, String member) {
        try {
            return a.annotationType().getMethod(member).invoke(a);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot read " + member + " of " + a, e);
        }
    }
}
