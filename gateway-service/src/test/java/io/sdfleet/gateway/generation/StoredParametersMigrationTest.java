package io.sdfleet.gateway.generation;

import io.sdfleet.infra.TestDatabase;
import io.sdfleet.request.GenerationParameters;
import io.sdfleet.request.HiresFix;
import io.sdfleet.request.InpaintingFill;
import io.sdfleet.request.ResizeMode;
import io.sdfleet.request.RngSource;
import io.sdfleet.request.SamplerExtras;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.configuration.FluentConfiguration;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Requests stored before the request model (flat parameters) still read after the upgrade's migration. */
class StoredParametersMigrationTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** As the flat record wrote them: txt2img with the hires fix, NV noise and a finite s_tmax. */
    private static final String HIRES = """
            {"prompt":"a cat","negativePrompt":"dog","samplerName":"Euler a","scheduler":"Karras","steps":20,
             "cfgScale":7.5,"seed":42,"width":512,"height":384,"batchSize":2,"nIter":3,"clipSkip":2,"model":"v1-5",
             "tiling":true,"hires":{"scale":2.0,"resizeX":0,"resizeY":0,"upscaler":"Latent","secondPassSteps":7,
             "denoisingStrength":0.4,"samplerName":"DPM++ 2M","prompt":"sharp","negativePrompt":null},"img2img":null,
             "noise":{"rngSource":"NV","subseed":9,"subseedStrength":0.25,"seedResizeFromW":256,"seedResizeFromH":256,
             "etaNoiseSeedDelta":31337},"sampler":{"eta":0.5,"sChurn":1.0,"sTmin":0.0,"sTmax":10.0,"sNoise":1.003},
             "vae":"vae-ft-mse"}""";
    /** Inpainting with s_tmax's null (infinity). */
    private static final String INPAINT = """
            {"prompt":"a boat","negativePrompt":"","samplerName":"Euler","scheduler":"Automatic","steps":10,
             "cfgScale":7.0,"seed":3,"width":64,"height":48,"batchSize":1,"nIter":1,"clipSkip":1,"model":null,
             "tiling":false,"hires":null,"img2img":{"initImages":["aW5pdA=="],"denoisingStrength":0.75,"resizeMode":1,
             "mask":"bWFzaw==","maskBlur":4,"inpaintingFill":2,"inpaintFullRes":true,"inpaintFullResPadding":32,
             "inpaintingMaskInvert":false},"noise":{"rngSource":"CPU","subseed":5,"subseedStrength":0.0,
             "seedResizeFromW":0,"seedResizeFromH":0,"etaNoiseSeedDelta":0},"sampler":{"eta":1.0,"sChurn":0.0,
             "sTmin":0.0,"sTmax":null,"sNoise":1.0},"vae":null}""";
    /** From before hires, img2img, noise and sampler settings existed. */
    private static final String OLDEST = """
            {"prompt":"a fox","negativePrompt":"","samplerName":"Euler","scheduler":"Automatic","steps":20,
             "cfgScale":7.0,"seed":1,"width":512,"height":512,"batchSize":1,"nIter":1,"clipSkip":1,"model":null}""";

    @Test
    void flatParametersBecomeTheRequestModelsGroups() throws SQLException {
        try (TestDatabase database = TestDatabase.create()) {
            flyway(database).target("3").load().migrate();
            try (Connection c = DriverManager.getConnection(database.url(), database.user(), database.password())) {
                for (String id : List.of("hires", "inpaint", "oldest")) {
                    insert(c, id, switch (id) {
                        case "hires" -> HIRES;
                        case "inpaint" -> INPAINT;
                        default -> OLDEST;
                    });
                }
                flyway(database).load().migrate();

                GenerationParameters hires = read(c, "hires");
                assertThat(hires.prompt().positive()).isEqualTo("a cat");
                assertThat(hires.prompt().negative()).isEqualTo("dog");
                assertThat(hires.prompt().clipSkip()).isEqualTo(2);
                assertThat(hires.size().width()).isEqualTo(512);
                assertThat(hires.size().sdxlCropTop()).as("stored before SDXL: uncropped").isZero();
                assertThat(hires.batch().imageCount()).isEqualTo(6);
                assertThat(hires.noise().seedOf(1)).isEqualTo(42);
                assertThat(hires.noise().rngSource()).isEqualTo(RngSource.NV);
                assertThat(hires.noise().subseedOf(1)).isEqualTo(10);
                assertThat(hires.noise().etaNoiseSeedDelta()).isEqualTo(31337);
                assertThat(hires.sampling().sampler()).isEqualTo("Euler a");
                assertThat(hires.sampling().scheduler()).isEqualTo("Karras");
                assertThat(hires.sampling().extras()).isEqualTo(new SamplerExtras(0.5, 1, 0, 10, 1.003));
                assertThat(hires.hires()).isEqualTo(new HiresFix(2, 0, 0, "Latent", 7, 0.4, "DPM++ 2M", null, "sharp", null));
                assertThat(hires.models().checkpoint()).isEqualTo("v1-5");
                assertThat(hires.models().vae()).isEqualTo("vae-ft-mse");
                assertThat(hires.tiling()).isTrue();

                GenerationParameters inpaint = read(c, "inpaint");
                assertThat(inpaint.sampling().extras()).isEqualTo(SamplerExtras.DEFAULTS);
                assertThat(inpaint.img2img().initImages()).containsExactly("aW5pdA==");
                assertThat(inpaint.img2img().resizeMode()).isEqualTo(ResizeMode.CROP_AND_RESIZE);
                assertThat(inpaint.img2img().mask().mask()).isEqualTo("bWFzaw==");
                assertThat(inpaint.img2img().mask().fill()).isEqualTo(InpaintingFill.LATENT_NOISE);
                assertThat(inpaint.img2img().mask().fullResolution()).isTrue();
                assertThat(inpaint.img2img().mask().fullResolutionPadding()).isEqualTo(32);
                assertThat(inpaint.models().checkpoint()).isNull();

                GenerationParameters oldest = read(c, "oldest");
                assertThat(oldest.noise().rngSource()).isEqualTo(RngSource.CPU);
                assertThat(oldest.sampling().extras()).isEqualTo(SamplerExtras.DEFAULTS);
                assertThat(oldest.hires()).isNull();
                assertThat(oldest.img2img()).isNull();
                assertThat(oldest.tiling()).isFalse();
            }
        }
    }

    private static FluentConfiguration flyway(TestDatabase database) {
        return Flyway.configure().dataSource(database.url(), database.user(), database.password())
                .schemas("gateway").defaultSchema("gateway").locations("classpath:db/gateway");
    }

    private static void insert(Connection c, String id, String parameters) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("INSERT INTO gateway.generations (id, user_name, parameters, "
                + "accepted_at, state) VALUES (?, 'alice', ?::jsonb, now(), 'DONE')")) {
            s.setString(1, id);
            s.setString(2, parameters);
            s.executeUpdate();
        }
    }

    private static GenerationParameters read(Connection c, String id) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT parameters FROM gateway.generations WHERE id = ?")) {
            s.setString(1, id);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return JSON.readValue(rs.getString(1), GenerationParameters.class);
            }
        }
    }
}
