package io.sdfleet.gateway.ops;

import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.oas.models.headers.Header;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.media.ArraySchema;
import io.swagger.v3.oas.models.media.BinarySchema;
import io.swagger.v3.oas.models.media.BooleanSchema;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.IntegerSchema;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.NumberSchema;
import io.swagger.v3.oas.models.media.ObjectSchema;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.media.StringSchema;
import io.swagger.v3.oas.models.parameters.HeaderParameter;
import io.swagger.v3.oas.models.parameters.RequestBody;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.responses.ApiResponses;
import io.sdfleet.contracts.Messaging;
import io.sdfleet.gateway.a1111.A1111Field;
import io.sdfleet.gateway.a1111.A1111Fields;
import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.util.List;

/**
 * OpenAPI description of the native API ({@code /api/v1/generations…}), served by springdoc at {@code /v3/api-docs}
 * and {@code /swagger-ui.html}. The controller takes A1111's JSON and answers with maps, so the bodies are described
 * here, in one place, rather than by annotations on the controller.
 */
@Configuration(proxyBeanMethods = false)
public class ApiDocs {

    private static final String REF = "#/components/schemas/";
    private static final String PROBLEM = "application/problem+json";

    @Bean
    OpenAPI sdfleetOpenApi() {
        return new OpenAPI().info(new Info().title("sdfleet native API").version("v1").description("""
                Asynchronous image generation: POST a generation (A1111 txt2img/img2img fields), get 202 and its id, \
                then follow it (GET, server-sent events), fetch its images, or cancel it (DELETE). Every response \
                carries the request's trace id in X-Request-Id; errors are RFC 9457 problem+json."""));
    }

    @Bean
    OpenApiCustomizer sdfleetGenerationsDocs() {
        return openApi -> {
            Components components = openApi.getComponents() == null ? new Components() : openApi.getComponents();
            openApi.setComponents(components);
            components.addSchemas("GenerationRequest", generationRequest());
            components.addSchemas("GenerationAccepted", new ObjectSchema()
                    .description("The accepted generation")
                    .addProperty("id", new StringSchema().format("uuid").description("Generation id"))
                    .addProperty("state", state())
                    .addProperty("images", new IntegerSchema().description("Images it will make (batch_size × n_iter)"))
                    .addProperty("seed", new IntegerSchema().format("int64").description("Seed of the first image")));
            components.addSchemas("GenerationStatus", new ObjectSchema()
                    .addProperty("id", new StringSchema().format("uuid"))
                    .addProperty("state", state())
                    .addProperty("images_done", new IntegerSchema())
                    .addProperty("images", new ArraySchema().items(new ObjectSchema()
                            .addProperty("index", new IntegerSchema())
                            .addProperty("seed", new IntegerSchema().format("int64"))
                            .addProperty("status", new StringSchema()._enum(List.of("pending", "stored")))
                            .addProperty("url", new StringSchema().nullable(true)
                                    .description("Where to GET the PNG once stored"))))
                    .addProperty("error", new StringSchema().nullable(true)));
            components.addSchemas("Problem", new ObjectSchema()
                    .description("RFC 9457 problem details; errors names every bad field")
                    .addProperty("type", new StringSchema().format("uri"))
                    .addProperty("title", new StringSchema())
                    .addProperty("status", new IntegerSchema())
                    .addProperty("detail", new StringSchema())
                    .addProperty("instance", new StringSchema().format("uri"))
                    .addProperty("errors", new ArraySchema().items(new ObjectSchema()
                            .addProperty("field", new StringSchema())
                            .addProperty("message", new StringSchema()))));

            PathItem collection = path(openApi, "/api/v1/generations");
            collection.post(operation(collection.getPost(), "submitGeneration", "Submit a generation")
                    .description("Takes A1111's txt2img body; init_images makes it img2img. Accepted once durably "
                            + "queued.")
                    .requestBody(new RequestBody().required(true).content(json(ref("GenerationRequest"))))
                    .responses(new ApiResponses()
                            .addApiResponse("202", traced(new ApiResponse().description("Accepted")
                                    .addHeaderObject("Location", new Header().schema(new StringSchema())
                                            .description("/api/v1/generations/{id}"))
                                    .content(json(ref("GenerationAccepted")))))
                            .addApiResponse("400", problem("Invalid request: malformed JSON or bad fields"))
                            .addApiResponse("422", problem("A requested feature is not supported yet"))));

            PathItem one = path(openApi, "/api/v1/generations/{id}");
            one.get(operation(one.getGet(), "getGeneration", "State of a generation and its images")
                    .responses(new ApiResponses()
                            .addApiResponse("200", traced(new ApiResponse().description("The generation")
                                    .content(json(ref("GenerationStatus")))))
                            .addApiResponse("404", notFound())));
            one.delete(operation(one.getDelete(), "cancelGeneration", "Cancel a generation")
                    .responses(new ApiResponses()
                            .addApiResponse("204", traced(new ApiResponse().description("Cancelled")))
                            .addApiResponse("404", notFound())));

            PathItem image = path(openApi, "/api/v1/generations/{id}/images/{index}");
            image.get(operation(image.getGet(), "getGenerationImage", "One stored image (PNG with its infotext)")
                    .responses(new ApiResponses()
                            .addApiResponse("200", traced(new ApiResponse().description("PNG bytes")
                                    .content(new Content().addMediaType("image/png",
                                            new MediaType().schema(new BinarySchema())))))
                            .addApiResponse("404", notFound())));

            PathItem events = path(openApi, "/api/v1/generations/{id}/events");
            events.get(operation(events.getGet(), "followGeneration", "Follow a generation as server-sent events")
                    .description("Events in order: queued, started, step (id, step, steps, eta_seconds), "
                            + "image_stored (id, index, url), skipped, then one of finished, failed, cancelled; "
                            + "each event's data is a JSON object.")
                    .responses(new ApiResponses()
                            .addApiResponse("200", traced(new ApiResponse().description("Event stream")
                                    .content(new Content().addMediaType("text/event-stream",
                                            new MediaType().schema(new StringSchema())))))
                            .addApiResponse("404", notFound())));
        };
    }

    /** Every field of A1111's txt2img and img2img requests, from the field table, plus the native priority. */
    private static Schema<?> generationRequest() {
        ObjectSchema s = new ObjectSchema();
        s.description("A1111's txt2img/img2img fields (init_images makes it img2img). Unknown fields are refused with "
                + "400; a feature not built yet, asked for at other than its off value, with 422 naming it");
        for (A1111Field field : A1111Fields.ALL) {
            Schema<?> schema = switch (field.type()) {
                case STRING -> new StringSchema();
                case INTEGER -> new IntegerSchema().format("int64");
                case NUMBER -> new NumberSchema();
                case BOOLEAN -> new BooleanSchema();
                case STRING_LIST -> new ArraySchema().items(new StringSchema());
                case LIST -> new ArraySchema().items(new Schema<>());
                case OBJECT -> new ObjectSchema().additionalProperties(true);
            };
            String where = switch (field.endpoints()) {
                case TXT2IMG -> " (txt2img only)";
                case IMG2IMG -> " (img2img only)";
                case BOTH -> "";
            };
            schema.description(field.description() + where + (field.supported() ? ""
                    : ". Not supported yet: " + field.unbuiltFeature() + " (only its default is accepted)"));
            if (field.defaultValue() != null) {
                schema.setDefault(field.defaultValue());
            } else {
                schema.nullable(true);
            }
            s.addProperty(field.name(), schema);
        }
        s.addProperty("priority", new IntegerSchema().description("Native API only: higher runs first among the "
                + "caller's own requests").example(0));
        return s;
    }

    private static Schema<?> state() {
        return new StringSchema()._enum(List.of("queued", "running", "finished", "failed", "cancelled"));
    }

    private static PathItem path(OpenAPI openApi, String path) {
        if (openApi.getPaths() == null) {
            openApi.setPaths(new io.swagger.v3.oas.models.Paths());
        }
        return openApi.getPaths().computeIfAbsent(path, p -> new PathItem());
    }

    /** The operation springdoc found (keeping its parameters), else a new one, with id, summary and caller header. */
    private static Operation operation(Operation found, String id, String summary) {
        Operation op = found == null ? new Operation() : found;
        op.operationId(id).summary(summary).tags(List.of("generations"));
        boolean hasHeader = op.getParameters() != null && op.getParameters().stream()
                .anyMatch(p -> Messaging.REQUEST_ID_HTTP_HEADER.equalsIgnoreCase(p.getName()));
        if (!hasHeader) {
            op.addParametersItem(new HeaderParameter().name(Messaging.REQUEST_ID_HTTP_HEADER).required(false)
                    .schema(new StringSchema()).description("Trace id to use (else taken from traceparent, else made)"));
        }
        return op;
    }

    private static ApiResponse traced(ApiResponse response) {
        return response.addHeaderObject(Messaging.REQUEST_ID_HTTP_HEADER,
                new Header().schema(new StringSchema()).description("Trace id of this request"));
    }

    private static ApiResponse problem(String description) {
        return traced(new ApiResponse().description(description)
                .content(new Content().addMediaType(PROBLEM, new MediaType().schema(ref("Problem")))));
    }

    private static ApiResponse notFound() {
        return traced(new ApiResponse().description("No such generation of this caller"));
    }

    private static Schema<?> ref(String name) {
        return new Schema<>().$ref(REF + name);
    }

    private static Content json(Schema<?> schema) {
        return new Content().addMediaType("application/json", new MediaType().schema(schema));
    }
}
