package io.sdfleet.gateway.a1111;

import io.sdfleet.diffusion.prompt.PromptStyles;
import io.sdfleet.gateway.GatewayProperties;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.nio.file.Path;

/** The prompt styles A1111 requests may name: {@code sdfleet.gateway.styles-file}, else styles.csv in the models folder. */
@Configuration
class StylesConfiguration {

    @Bean
    PromptStyles promptStyles(GatewayProperties properties, @Value("${sdfleet.gateway.styles-file:}") String stylesFile) {
        Path file = !stylesFile.isBlank() ? Path.of(stylesFile)
                : properties.modelsDir() == null ? null : properties.modelsDir().resolve("styles.csv");
        return PromptStyles.load(file);
    }
}
