package io.slipway.cli.dist;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * The recipe of the image every Slipway image starts from, built on top of nothing because no public registry can be
 * reached to pull one: a JRE linked from a local JDK with only the modules the services and the CLI need, the host
 * libraries that JRE loads (found with ldd, so the dynamic loader and libc come along), and the few files a
 * non-root Java process expects. Two layers, the system files first (they change with the host's glibc) and the JRE
 * second (it changes with the JDK).
 */
final class BaseImage {

    /** The user every Slipway container runs as; no process in the image needs root. */
    static final int USER_ID = 10001;
    static final String USER_NAME = "slipway";
    static final String JAVA_HOME = "/opt/java";
    static final String JAVA = JAVA_HOME + "/bin/java";
    /** What the services' {@code slipway.data-dir} points at: the one writable place, owned by the user. */
    static final String DATA_DIR = "/var/lib/slipway";
    static final String KEYS_DIR = "/keys";
    static final String APP_DIR = "/app";

    /**
     * The JRE's modules: what {@code jdeps} reports for the five services and the CLI (their classes unpacked, since
     * several of their jars declare modules that jdeps then wants on a module path), plus modules that libraries load
     * only by name at run time: {@code jdk.crypto.ec} (TLS with EC keys on JDK 21), {@code jdk.naming.dns} (JNDI DNS,
     * Kafka's client uses it for SASL), {@code jdk.zipfs} (jar file systems), {@code jdk.management} (the JVM metrics of
     * {@code /q/metrics}), {@code jdk.charsets} and {@code jdk.localedata} (any encoding and locale a user's data
     * names), {@code jdk.security.auth} (Kafka's JAAS login modules).
     */
    static final List<String> MODULES = List.of("java.base", "java.compiler", "java.desktop", "java.instrument",
            "java.logging", "java.management", "java.naming", "java.net.http", "java.rmi", "java.scripting",
            "java.security.jgss", "java.security.sasl", "java.sql", "java.transaction.xa", "java.xml", "java.xml.crypto",
            "jdk.charsets", "jdk.crypto.ec", "jdk.httpserver", "jdk.jfr", "jdk.localedata", "jdk.management", "jdk.naming.dns",
            "jdk.net", "jdk.security.auth", "jdk.security.jgss", "jdk.unsupported", "jdk.zipfs");

    /**
     * Libraries of the JRE that a headless server never loads (the X11 toolkit, the splash screen, AWT's native
     * interface, sound): their own dependencies (X11, ALSA) stay out of the image. The services run with
     * {@code java.awt.headless=true}.
     */
    static final Set<String> HEADLESS_ONLY = Set.of("libawt_xawt.so", "libsplashscreen.so", "libjawt.so", "libjsound.so");

    /**
     * Libraries that native code inside the services' jars loads beyond the JRE's: brotli4j's {@code libbrotli.so}
     * (Vert.x' HTTP compression) needs the C++ runtime; glibc itself opens {@code libgcc_s} to unwind a cancelled
     * thread. Found by ldd over every linux/amd64 {@code .so} in the jars; {@code DistImagesTest} checks that nothing
     * else is needed whenever the dependencies change.
     */
    static final List<String> EXTRA_LIBRARIES = List.of("libstdc++.so.6", "libgcc_s.so.1");

    /** {@link HealthProbe} as a runnable jar: {@code java -jar /opt/slipway/probe.jar URL}. */
    static final String PROBE_JAR = "/opt/slipway/probe.jar";

    /** The host's CA bundle, for programs that do not use the JRE's own trust store (lib/security/cacerts). */
    static final String CA_BUNDLE = "/etc/ssl/certs/ca-certificates.crt";

    private BaseImage() {
    }

    /** A jar of {@link HealthProbe}'s class, taken from this program's own classes; fixed entry times. */
    static byte[] probeJar() throws IOException {
        String resource = HealthProbe.class.getName().replace('.', '/') + ".class";
        byte[] classFile;
        try (var in = HealthProbe.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException("cannot find " + resource + " among the CLI's classes");
            }
            classFile = in.readAllBytes();
        }
        java.util.jar.Manifest manifest = new java.util.jar.Manifest();
        manifest.getMainAttributes().put(java.util.jar.Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(java.util.jar.Attributes.Name.MAIN_CLASS, HealthProbe.class.getName());
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (java.util.jar.JarOutputStream jar = new java.util.jar.JarOutputStream(bytes)) {
            java.util.zip.ZipEntry m = new java.util.zip.ZipEntry(java.util.jar.JarFile.MANIFEST_NAME);
            m.setTime(0);
            jar.putNextEntry(m);
            manifest.write(jar);
            jar.closeEntry();
            java.util.zip.ZipEntry c = new java.util.zip.ZipEntry(resource);
            c.setTime(0);
            jar.putNextEntry(c);
            jar.write(classFile);
            jar.closeEntry();
        }
        return bytes.toByteArray();
    }

    /** The JRE at {@link #JAVA_HOME}. */
    static LayerContent jre(Path runtime) throws IOException {
        LayerContent layer = new LayerContent();
        layer.tree(runtime, JAVA_HOME, rel -> true);
        return layer;
    }

    /** Everything but the JRE: libraries from {@code hostRoot} (normally /), accounts, /tmp, the data and app dirs. */
    static LayerContent system(Path runtime, Path hostRoot) throws IOException {
        LayerContent layer = new LayerContent();
        HostPaths host = new HostPaths(hostRoot, layer);
        Set<String> libraries = SharedLibraries.neededBy(runtime, HEADLESS_ONLY);
        for (String library : libraries) {
            host.add(library);
        }
        for (String extra : EXTRA_LIBRARIES) {
            host.add(SharedLibraries.besides(libraries, extra, hostRoot));
        }
        if (Files.isRegularFile(hostRoot.resolve(CA_BUNDLE.substring(1)))) {
            host.add(CA_BUNDLE);
        }
        layer.bytes(PROBE_JAR, probeJar(), 0644);
        layer.text("/etc/passwd", "root:x:0:0:root:/root:/sbin/nologin\n"
                + USER_NAME + ":x:" + USER_ID + ":" + USER_ID + ":Slipway:" + DATA_DIR + ":/sbin/nologin\n"
                + "nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\n", 0644);
        layer.text("/etc/group", "root:x:0:\n" + USER_NAME + ":x:" + USER_ID + ":\nnogroup:x:65534:\n", 0644);
        // glibc reads it for user and host lookups; without it hosts would be looked up in DNS before /etc/hosts
        layer.text("/etc/nsswitch.conf", "passwd: files\ngroup: files\nhosts: files dns\n", 0644);
        // mount points a runtime fills (and a chroot of the unpacked image, as the tests run it, needs /proc for $ORIGIN)
        layer.directory("/proc", 0555, LayerContent.ROOT);
        layer.directory("/sys", 0555, LayerContent.ROOT);
        layer.directory("/dev", 0755, LayerContent.ROOT);
        layer.directory("/tmp", 01777, LayerContent.ROOT);
        layer.directory("/root", 0700, LayerContent.ROOT);
        layer.directory(DATA_DIR, 0750, USER_ID);
        // where docker-compose.yml mounts the JWT key pair: a new named volume takes the owner of the directory it is
        // first mounted on, and `slipway keys init` (uid 10001) writes the pair there
        layer.directory(KEYS_DIR, 0750, USER_ID);
        layer.directory(APP_DIR, 0755, LayerContent.ROOT);
        return layer;
    }
}
