package io.sdfleet.gateway.a1111;

import io.sdfleet.diffusion.prompt.PromptStyles;
import io.sdfleet.gateway.GatewayProperties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Random;
import java.util.zip.CRC32;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The configurable request limits, and the parsing bugs the HTTP fuzz test (GatewayFuzzTest) found. */
class RequestLimitsTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final RequestLimits SMALL = new RequestLimits(512L * 512 * 2, 30, 4, 100, 6, 2, 10_000, 256, 1_000_000, 10_000);

    @TempDir
    Path dir;

    private ModelCatalog models() throws Exception {
        Files.writeString(dir.resolve("v1-5.safetensors"), "x");
        return new ModelCatalog(new GatewayProperties("http://storage", dir, "v1-5.safetensors", 60));
    }

    private A1111Request parse(String body, RequestLimits limits, A1111Request.Kind kind) throws Exception {
        return A1111Request.parse(JSON.readTree(body), models(), PromptStyles.none(), limits, kind);
    }

    private void assertRefusedOn(String body, RequestLimits limits, A1111Request.Kind kind, String field) {
        assertThatThrownBy(() -> parse(body, limits, kind)).isInstanceOfSatisfying(InvalidRequestException.class, e -> {
            assertThat(e.unsupported()).isFalse();
            assertThat(e.problems()).extracting(FieldProblem::field).contains(field);
        });
    }

    @Test
    void aHundredThousandCharacterPromptIsRefusedByDefault() {
        assertRefusedOn("{\"prompt\": \"" + "a".repeat(100_000) + "\"}", RequestLimits.DEFAULTS,
                A1111Request.Kind.TXT2IMG, "prompt");
        assertRefusedOn("{\"negative_prompt\": \"" + "a".repeat(10_001) + "\"}", RequestLimits.DEFAULTS,
                A1111Request.Kind.TXT2IMG, "negative_prompt");
    }

    @Test
    void eachLimitNamesItsField() {
        A1111Request.Kind t = A1111Request.Kind.TXT2IMG;
        assertRefusedOn("{\"prompt\": \"" + "a".repeat(101) + "\"}", SMALL, t, "prompt");
        assertRefusedOn("{\"steps\": 31}", SMALL, t, "steps");
        assertRefusedOn("{\"n_iter\": 5}", SMALL, t, "n_iter");
        assertRefusedOn("{\"batch_size\": 3}", SMALL, t, "batch_size"); // 3 × 512² pixels
        assertRefusedOn("{\"width\": 1024, \"height\": 1024}", SMALL, t, "width");
        assertRefusedOn("{\"batch_size\": 2, \"n_iter\": 4}", SMALL, t, "n_iter"); // 8 images
        assertRefusedOn("{\"enable_hr\": true, \"hr_scale\": 2}", SMALL, t, "hr_scale");
        assertRefusedOn("{\"enable_hr\": true, \"hr_scale\": 1, \"hr_second_pass_steps\": 31}", SMALL, t,
                "hr_second_pass_steps");
        assertRefusedOn("{\"enable_hr\": true, \"hr_scale\": 1, \"hr_prompt\": \"" + "a".repeat(101) + "\"}", SMALL, t,
                "hr_prompt");
    }

    @Test
    void withinTheLimitsIsAccepted() throws Exception {
        A1111Request request = parse("{\"prompt\": \"" + "a".repeat(100) + "\", \"steps\": 30, \"batch_size\": 2, "
                + "\"n_iter\": 3}", SMALL, A1111Request.Kind.TXT2IMG);
        assertThat(request.parameters().imageCount()).isEqualTo(6);
    }

    @Test
    void initImagesAreLimitedInCountBytesAndSide() throws Exception {
        A1111Request.Kind i = A1111Request.Kind.IMG2IMG;
        String small = png(64, 64);
        assertThat(parse("{\"init_images\": [\"" + small + "\"]}", SMALL, i).parameters().img2img().initImages()).hasSize(1);
        assertRefusedOn("{\"init_images\": [\"" + small + "\", \"" + small + "\", \"" + small + "\"]}", SMALL, i, "init_images");
        assertRefusedOn("{\"init_images\": [\"" + png(257, 8) + "\"]}", SMALL, i, "init_images[0]");
        assertRefusedOn("{\"init_images\": [\"" + small + "\"], \"mask\": \"" + png(8, 257) + "\"}", SMALL, i, "mask");
        String noisy = noisyPng(128, 128); // random pixels: well over 10,000 bytes
        assertRefusedOn("{\"init_images\": [\"" + noisy + "\"]}", SMALL, i, "init_images[0]");
    }

    /** Fuzz finding: a PNG header promising 40,000² pixels made ImageIO allocate 1.6 GB before the side check. */
    @Test
    void anImageIsMeasuredByItsHeaderBeforeItIsDecoded() {
        byte[] ihdr = ByteBuffer.allocate(13).putInt(40_000).putInt(40_000).put((byte) 8).put((byte) 0)
                .put(new byte[3]).array();
        byte[] bomb = concat(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'}, chunk("IHDR", ihdr),
                chunk("IDAT", new byte[16]), chunk("IEND", new byte[0]));
        assertThatThrownBy(() -> parse("{\"init_images\": [\"" + Base64.getEncoder().encodeToString(bomb) + "\"]}",
                RequestLimits.DEFAULTS, A1111Request.Kind.IMG2IMG))
                .isInstanceOfSatisfying(InvalidRequestException.class, e -> assertThat(e.problems())
                        .anySatisfy(p -> assertThat(p.message()).contains("40000x40000")));
    }

    /** Fuzz finding: {"steps": 1e308} and {"steps": 2^64} threw JsonNodeException from asLong() (500). */
    @Test
    void integersBeyondLongAreOutOfRangeNot500() {
        assertRefusedOn("{\"steps\": 1e308}", RequestLimits.DEFAULTS, A1111Request.Kind.TXT2IMG, "steps");
        assertRefusedOn("{\"seed\": 18446744073709551616}", RequestLimits.DEFAULTS, A1111Request.Kind.TXT2IMG, "seed");
    }

    /** Fuzz finding: {"tiling": 123456789012345678901234567890} threw from asLong() in the 0/1 flag check (500). */
    @Test
    void hugeIntegersForFlagsAreRefusedNot500() {
        assertRefusedOn("{\"tiling\": 123456789012345678901234567890}", RequestLimits.DEFAULTS,
                A1111Request.Kind.TXT2IMG, "tiling");
    }

    /** Review finding (in the fuzz's generators too): a non-string model or VAE threw from asString() (500). */
    @Test
    void nonStringModelAndVaeNamesAreRefusedByName() {
        assertRefusedOn("{\"override_settings\": {\"sd_model_checkpoint\": {}}}", RequestLimits.DEFAULTS,
                A1111Request.Kind.TXT2IMG, "override_settings.sd_model_checkpoint");
        assertRefusedOn("{\"override_settings\": {\"sd_model_checkpoint\": [\"v1-5\"]}}", RequestLimits.DEFAULTS,
                A1111Request.Kind.TXT2IMG, "override_settings.sd_model_checkpoint");
        assertRefusedOn("{\"override_settings\": {\"sd_vae\": {\"a\": 1}}}", RequestLimits.DEFAULTS,
                A1111Request.Kind.TXT2IMG, "override_settings.sd_vae");
        // and a very long name is refused before the catalog's hash-suffix regex sees it
        assertRefusedOn("{\"override_settings\": {\"sd_model_checkpoint\": \"" + " ".repeat(100_000) + "x\"}}",
                RequestLimits.DEFAULTS, A1111Request.Kind.TXT2IMG, "override_settings.sd_model_checkpoint");
    }

    @Test
    void pathTricksInModelNamesFindNoModel() {
        for (String name : new String[] {"../../etc/passwd", "/etc/passwd", "v1-5.safetensors\\u0000.txt", "..",
                "../v1-5.safetensors"}) {
            assertRefusedOn("{\"override_settings\": {\"sd_model_checkpoint\": \"" + name + "\"}}",
                    RequestLimits.DEFAULTS, A1111Request.Kind.TXT2IMG, "override_settings.sd_model_checkpoint");
        }
    }

    private static String png(int w, int h) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB), "png", out);
        return Base64.getEncoder().encodeToString(out.toByteArray());
    }

    private static String noisyPng(int w, int h) throws Exception {
        BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Random random = new Random(1);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                image.setRGB(x, y, random.nextInt());
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "png", out);
        return Base64.getEncoder().encodeToString(out.toByteArray());
    }

    private static byte[] chunk(String type, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(12 + data.length);
        b.putInt(data.length).put(type.getBytes()).put(data);
        CRC32 crc = new CRC32();
        crc.update(type.getBytes());
        crc.update(data);
        return b.putInt((int) crc.getValue()).array();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
