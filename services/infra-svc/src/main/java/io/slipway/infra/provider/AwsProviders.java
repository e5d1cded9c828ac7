package io.slipway.infra.provider;

import io.slipway.infra.provision.ProviderFactory;
import io.slipway.provision.aws.AwsEc2Config;
import io.slipway.provision.aws.AwsEc2Provider;
import io.slipway.provision.ssh.SshProbe;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.URI;
import java.time.Duration;
import java.util.Map;

/**
 * Kind {@code aws}: EC2 instances. Settings: {@code region}, {@code access-key-id}, {@code secret-access-key-env} or
 * {@code secret-access-key-file} (the environment variable or file holding the secret), {@code ssh-user}, {@code ssh-private-key}; optional {@code key-name},
 * {@code subnet-id}, {@code security-group-ids} (comma-separated), {@code instance-type}, {@code image-id},
 * {@code endpoint} (another EC2 endpoint), {@code call-timeout}, {@code list-page-size}.
 */
@ApplicationScoped
public class AwsProviders implements ProviderFactory {
    @Override
    public String kind() {
        return AwsEc2Provider.KIND;
    }

    @Override
    public OpenProvider open(String name, Map<String, String> settings) {
        Settings s = new Settings(settings);
        String secret = s.secret("secret-access-key")
                .orElseThrow(() -> new IllegalArgumentException("settings.secret-access-key-env or settings.secret-access-key-file is required (where the secret is kept)"));
        AwsEc2Config config = new AwsEc2Config(s.required("region"), s.required("access-key-id"), secret,
                s.optional("endpoint").map(URI::create).orElse(null), s.optional("key-name").orElse(null),
                s.optional("subnet-id").orElse(null), s.list("security-group-ids"), s.optional("instance-type").orElse(null),
                s.optional("image-id").orElse(null), s.required("ssh-user"), s.path("ssh-private-key"),
                s.duration("call-timeout", Duration.ofSeconds(20)), s.integer("list-page-size", 1000));
        return new OpenProvider(new AwsEc2Provider(config), new SshProbe());
    }
}
