package io.sdfleet.gateway.a1111;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import java.util.LinkedHashMap;
import java.util.Map;

/** A1111's settings, {@code GET /sdapi/v1/options}. */
@RestController
@RequestMapping("/sdapi/v1")
public class A1111OptionsController {

    private final ModelCatalog models;

    public A1111OptionsController(ModelCatalog models) {
        this.models = models;
    }

    @GetMapping("/options")
    public Map<String, Object> options() {
        Map<String, Object> options = new LinkedHashMap<>();
        options.put("sd_model_checkpoint", models.defaultModel());
        options.put("CLIP_stop_at_last_layers", 1);
        options.put("samples_format", "png");
        options.put("randn_source", "CPU");
        return options;
    }
}
