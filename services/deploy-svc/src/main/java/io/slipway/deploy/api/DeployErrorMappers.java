package io.slipway.deploy.api;

import io.slipway.deploy.cluster.OperationInProgress;
import io.slipway.deploy.clusterfile.ClusterfileException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** A bad Clusterfile is a 400 naming line and field; a second operation on a busy cluster is a 409. */
public class DeployErrorMappers {

    @ServerExceptionMapper
    public Response clusterfile(ClusterfileException e) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", e.getMessage());
        if (e.field() != null) {
            body.put("field", e.field());
        }
        if (e.line() > 0) {
            body.put("line", e.line());
        }
        return Response.status(400).type(MediaType.APPLICATION_JSON).entity(body).build();
    }

    @ServerExceptionMapper
    public Response busy(OperationInProgress e) {
        return Response.status(409).type(MediaType.APPLICATION_JSON).entity(Map.of("error", e.getMessage())).build();
    }
}
