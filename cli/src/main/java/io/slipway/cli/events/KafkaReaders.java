package io.slipway.cli.events;

import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;

/** The CLI's readers of topics: no consumer group commits, bounded waits, and only committed records (read_committed). */
public final class KafkaReaders {
    private KafkaReaders() {
    }

    public static Properties properties(String bootstrapServers, String clientId) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
        p.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "15000");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        return p;
    }
}
