package io.sdfleet.gateway.a1111;

import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;

/**
 * A1111's extras ({@code /extra-single-image}, {@code /extra-batch-images}: upscaling and face restoration of given
 * images) and {@code /interrogate} (CLIP / DeepDanbooru captions). The fleet has neither upscaler models nor an
 * interrogator yet, so both answer 422 problem+json naming the field that asks for one ({@code upscaler_1}, the
 * face restorers' visibilities, {@code model}), as any A1111 feature not built yet; a body that is not JSON or not
 * an object is 400.
 */
@RestController
@RequestMapping("/sdapi/v1")
public class A1111ExtrasController {

    @PostMapping("/extra-single-image")
    public Object extraSingleImage(@RequestBody JsonNode body) {
        throw extrasRefused(body);
    }

    @PostMapping("/extra-batch-images")
    public Object extraBatchImages(@RequestBody JsonNode body) {
        throw extrasRefused(body);
    }

    @PostMapping("/interrogate")
    public Object interrogate(@RequestBody JsonNode body) {
        requireObject(body);
        String model = body.path("model").isString() ? body.path("model").asString() : "clip";
        throw new InvalidRequestException(List.of(new FieldProblem("model",
                "interrogator '" + model + "' is not available in this fleet (no CLIP or DeepDanbooru interrogator yet)")), true);
    }

    private static InvalidRequestException extrasRefused(JsonNode body) {
        requireObject(body);
        List<FieldProblem> problems = new ArrayList<>();
        String upscaler = body.path("upscaler_1").isString() ? body.path("upscaler_1").asString() : "None";
        problems.add(new FieldProblem("upscaler_1", "upscaler '" + upscaler
                + "' is not available in this fleet: extras (upscaling given images) are not built yet"));
        String second = body.path("upscaler_2").isString() ? body.path("upscaler_2").asString() : "None";
        if (!second.equals("None") && body.path("extras_upscaler_2_visibility").asDouble(0) > 0) {
            problems.add(new FieldProblem("upscaler_2", "upscaler '" + second + "' is not available in this fleet"));
        }
        for (String restorer : List.of("gfpgan_visibility", "codeformer_visibility")) {
            if (body.path(restorer).asDouble(0) > 0) {
                problems.add(new FieldProblem(restorer, "face restoration is not available in this fleet yet"));
            }
        }
        return new InvalidRequestException(problems, true);
    }

    private static void requireObject(JsonNode body) {
        if (body == null || !body.isObject()) {
            throw new InvalidRequestException(List.of(new FieldProblem("body", "a JSON object is required")), false);
        }
    }
}
