package io.slipway.workload.conversion;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.emptyIterable;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.slipway.testkit.SlipwayInfraResource;
import io.slipway.testkit.kube.SimulatedClusterResource;
import org.junit.jupiter.api.Test;

/** The API server's side of {@code /webhooks/convert}: a ConversionReview without a token, every object converted or none. */
@QuarkusTest
@WithTestResource(value = SlipwayInfraResource.class, initArgs = @ResourceArg(name = "db", value = "workload"))
@WithTestResource(value = SimulatedClusterResource.class, initArgs = {@ResourceArg(name = "client", value = "quarkus"),
        @ResourceArg(name = "ingest", value = "false")})
class ConversionWebhookTest {
    static String review(String uid, String desired, String... objects) {
        return """
                {"apiVersion": "apiextensions.k8s.io/v1", "kind": "ConversionReview",
                 "request": {"uid": "%s", "desiredAPIVersion": "%s", "objects": [%s]}}
                """.formatted(uid, desired, String.join(",", objects));
    }

    static String job(String apiVersion, String name) {
        return """
                {"apiVersion": "%s", "kind": "BroadcastJob", "metadata": {"name": "%s", "namespace": "default", "uid": "u-%s"},
                 "spec": {"parallelism": 2, "template": {"spec": {"containers": [{"name": "main", "image": "busybox"}], "restartPolicy": "Never"}}},
                 "status": {"active": 1, "succeeded": 0, "failed": 0, "desired": 2, "phase": "running"}}
                """.formatted(apiVersion, name, name);
    }

    @Test
    void everyObjectIsConvertedAndTheUidEchoedWithoutAToken() {
        given().contentType(ContentType.JSON)
                .body(review("r-1", "apps.kruise.io/v1beta1", job("apps.kruise.io/v1alpha1", "a"), job("apps.kruise.io/v1alpha1", "b")))
                .post("/webhooks/convert")
                .then().statusCode(200)
                .body("apiVersion", equalTo("apiextensions.k8s.io/v1")).body("kind", equalTo("ConversionReview"))
                .body("response.uid", equalTo("r-1"))
                .body("response.result.status", equalTo("Success"))
                .body("response.convertedObjects.apiVersion", contains("apps.kruise.io/v1beta1", "apps.kruise.io/v1beta1"))
                .body("response.convertedObjects.metadata.name", contains("a", "b"))
                .body("response.convertedObjects[0].spec.parallelism", equalTo(2))
                .body("response.convertedObjects[0].status.phase", equalTo("running"));
    }

    @Test
    void anUnknownKindIsRefusedWithAMessageAndNothingConverted() {
        String pod = """
                {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "default"}}
                """;
        given().contentType(ContentType.JSON)
                .body(review("r-2", "apps.kruise.io/v1beta1", job("apps.kruise.io/v1alpha1", "a"), pod))
                .post("/webhooks/convert")
                .then().statusCode(200)
                .body("response.uid", equalTo("r-2"))
                .body("response.result.status", equalTo("Failure"))
                .body("response.result.message", startsWith("cannot convert Pod default/p (v1): workload-svc converts only apps.kruise.io/BroadcastJob"))
                .body("response.convertedObjects", emptyIterable());
    }

    @Test
    void aVersionTheKindLacksIsRefused() {
        given().contentType(ContentType.JSON)
                .body(review("r-3", "apps.kruise.io/v2", job("apps.kruise.io/v1beta1", "a")))
                .post("/webhooks/convert")
                .then().statusCode(200)
                .body("response.result.status", equalTo("Failure"))
                .body("response.result.message", equalTo("cannot convert BroadcastJob default/a to apps.kruise.io/v2: "
                        + "BroadcastJob has no version apps.kruise.io/v2 (served: v1alpha1, v1beta1)"));
    }

    @Test
    void aBodyThatIsNoConversionReviewIsABadRequest() {
        given().contentType(ContentType.JSON).body("{\"kind\": \"AdmissionReview\"}").post("/webhooks/convert").then().statusCode(400);
    }
}
