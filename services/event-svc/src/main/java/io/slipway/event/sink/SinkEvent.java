package io.slipway.event.sink;

import io.slipway.event.route.EventView;
import io.slipway.events.kube.KubeEvent;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/** An event on its way to one receiver, with the Kafka record it came in (for offsets, dead letters and passthrough). */
public record SinkEvent(KubeEvent event, ConsumerRecord<String, byte[]> record) {

    /** The data templates are rendered with. */
    public Map<String, Object> view() {
        return EventView.of(event);
    }

    /** Event uid + count: the same occurrence always has the same id, so receivers that can deduplicate do. */
    public String occurrenceId() {
        return EventView.occurrenceId(event);
    }

    public TopicPartition partition() {
        return new TopicPartition(record.topic(), record.partition());
    }

    public long offset() {
        return record.offset();
    }

    /** Where the record is, for logs and dead letters. */
    public String position() {
        return record.topic() + "/" + record.partition() + "@" + record.offset();
    }
}
