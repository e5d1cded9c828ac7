package io.slipway.testkit.ec2;

import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** The EC2 Query protocol's XML answers (namespace of API version 2016-11-15) for what the endpoint serves. */
final class Ec2Xml {
    static final String NAMESPACE = "http://ec2.amazonaws.com/doc/2016-11-15/";
    private static final String OWNER = "123456789012";

    private final StringBuilder xml = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");

    private Ec2Xml() {
    }

    static String runInstances(String requestId, Reservation r) {
        Ec2Xml x = new Ec2Xml();
        x.open("RunInstancesResponse xmlns=\"" + NAMESPACE + "\"").el("requestId", requestId)
                .el("reservationId", r.reservationId()).el("ownerId", OWNER).el("groupSet", "");
        x.instances(r.instances());
        return x.close("RunInstancesResponse").toString();
    }

    static String describeInstances(String requestId, DescribePage page) {
        Ec2Xml x = new Ec2Xml();
        x.open("DescribeInstancesResponse xmlns=\"" + NAMESPACE + "\"").el("requestId", requestId).open("reservationSet");
        List<Ec2Instance> all = page.instances();
        for (int from = 0; from < all.size(); ) {
            int to = from;
            while (to < all.size() && all.get(to).reservationId().equals(all.get(from).reservationId())) {
                to++;
            }
            x.open("item").el("reservationId", all.get(from).reservationId()).el("ownerId", OWNER).el("groupSet", "");
            x.instances(all.subList(from, to));
            x.close("item");
            from = to;
        }
        x.close("reservationSet");
        if (page.nextToken() != null) {
            x.el("nextToken", page.nextToken());
        }
        return x.close("DescribeInstancesResponse").toString();
    }

    static String terminateInstances(String requestId, List<Termination> terminations) {
        Ec2Xml x = new Ec2Xml();
        x.open("TerminateInstancesResponse xmlns=\"" + NAMESPACE + "\"").el("requestId", requestId).open("instancesSet");
        for (Termination t : terminations) {
            x.open("item").el("instanceId", t.instanceId());
            x.state("currentState", t.currentState()).state("previousState", t.previousState());
            x.close("item");
        }
        return x.close("instancesSet").close("TerminateInstancesResponse").toString();
    }

    static String error(String requestId, String code, String message) {
        Ec2Xml x = new Ec2Xml();
        x.open("Response").open("Errors").open("Error").el("Code", code).el("Message", message).close("Error")
                .close("Errors").el("RequestID", requestId);
        return x.close("Response").toString();
    }

    private void instances(List<Ec2Instance> instances) {
        open("instancesSet");
        for (Ec2Instance i : instances) {
            open("item").el("instanceId", i.instanceId()).el("imageId", i.imageId()).state("instanceState", i.state())
                    .el("privateDnsName", "ip-" + i.privateIpAddress().replace('.', '-') + ".ec2.internal")
                    .el("amiLaunchIndex", String.valueOf(i.amiLaunchIndex())).el("instanceType", i.instanceType())
                    .el("launchTime", DateTimeFormatter.ISO_INSTANT.format(i.launchTime()))
                    .open("placement").el("availabilityZone", "sim-1a").close("placement")
                    .el("privateIpAddress", i.privateIpAddress());
            if (i.stateReasonCode() != null) {
                open("stateReason").el("code", i.stateReasonCode()).el("message", i.stateReasonMessage())
                        .close("stateReason");
            }
            if (i.clientToken() != null) {
                el("clientToken", i.clientToken());
            }
            open("tagSet");
            for (Map.Entry<String, String> t : i.tags().entrySet()) {
                open("item").el("key", t.getKey()).el("value", t.getValue()).close("item");
            }
            close("tagSet").close("item");
        }
        close("instancesSet");
    }

    private Ec2Xml state(String element, InstanceState state) {
        return open(element).el("code", String.valueOf(state.code())).el("name", state.apiName()).close(element);
    }

    private Ec2Xml open(String tagWithAttributes) {
        xml.append('<').append(tagWithAttributes).append('>');
        return this;
    }

    private Ec2Xml close(String tag) {
        xml.append("</").append(tag).append('>');
        return this;
    }

    private Ec2Xml el(String tag, String text) {
        xml.append('<').append(tag).append('>').append(escape(Objects.toString(text, ""))).append("</").append(tag).append('>');
        return this;
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    @Override
    public String toString() {
        return xml.toString();
    }
}
