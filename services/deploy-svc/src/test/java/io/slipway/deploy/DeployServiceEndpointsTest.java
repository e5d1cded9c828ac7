package io.slipway.deploy;

import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.slipway.testkit.ServiceEndpointsContract;
import io.slipway.testkit.SlipwayInfraResource;

@QuarkusTest
@WithTestResource(value = SlipwayInfraResource.class, initArgs = @ResourceArg(name = "db", value = "deploy"))
class DeployServiceEndpointsTest extends ServiceEndpointsContract {
    @Override
    protected String readablePath() {
        return "/api/v1/deploy/builds";
    }
}
