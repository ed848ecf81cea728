package io.sdfleet.diffusion.networks;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import io.sdfleet.diffusion.checkpoint.SafetensorsWriter;
import io.sdfleet.diffusion.loading.ModelOptions;
import io.sdfleet.diffusion.loading.StableDiffusionModel;
import io.sdfleet.diffusion.model.TextEncoder;
import io.sdfleet.diffusion.sdxl.AestheticScores;
import io.sdfleet.diffusion.sdxl.SdxlConditioner;
import io.sdfleet.diffusion.sdxl.SdxlTextEncoders;
import io.sdfleet.diffusion.testing.Reference;
import io.sdfleet.diffusion.testing.Tensors;
import io.sdfleet.diffusion.tokenizer.ClipTokenizer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * SDXL textual inversion in A1111's file layout ({@code clip_l} [n, 768], {@code clip_g} [n, 1280]; here the mini's
 * 16 and 32): each tower reads its own rows, and the conditioning equals the towers run by hand on token
 * embeddings whose rows after the prompt's words were overwritten with the file's vectors. Embeddings of another
 * model's shape are skipped, both ways.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SdxlTextualInversionTest {

    private static final int VECTORS = 2;

    private StableDiffusionModel model;
    private Path folder;
    private float[] clipL;
    private float[] clipG;

    @BeforeAll
    void load(@TempDir Path dir) throws IOException {
        model = StableDiffusionModel.load(Reference.file("sdxl/models/mini_sdxl_base.safetensors"),
                ModelOptions.cpu(Reference.file("clip-tokenizer")));
        folder = Files.createDirectories(dir.resolve("embeddings"));
        Random random = new Random(42);
        clipL = gaussian(random, VECTORS * 16);
        clipG = gaussian(random, VECTORS * 32);
        new SafetensorsWriter().putFloats("clip_l", new long[] {VECTORS, 16}, clipL)
                .putFloats("clip_g", new long[] {VECTORS, 32}, clipG).write(folder.resolve("sdxlemb.safetensors"));
        // an SD 1.x embedding; an SDXL embedding of the released widths; one tensor of the right total width
        new SafetensorsWriter().putFloats("emb_params", new long[] {1, 768}, gaussian(random, 768))
                .write(folder.resolve("sd1emb.safetensors"));
        new SafetensorsWriter().putFloats("clip_l", new long[] {1, 768}, gaussian(random, 768))
                .putFloats("clip_g", new long[] {1, 1280}, gaussian(random, 1280))
                .write(folder.resolve("bigemb.safetensors"));
        new SafetensorsWriter().putFloats("emb_params", new long[] {1, 48}, gaussian(random, 48))
                .write(folder.resolve("flatemb.safetensors"));
    }

    @AfterAll
    void close() {
        if (model != null) {
            model.close();
        }
    }

    @Test
    void onlyEmbeddingsOfTheModelsShapeAreOffered() {
        TextualInversions base = new Networks(model, new NetworkDirectories(Optional.empty(), Optional.of(folder),
                Optional.empty())).textualInversions();
        System.out.println("SDXL mini base embeddings skipped: " + base.skipped());
        assertThat(base.loaded()).containsExactly("sdxlemb");
        assertThat(base.skipped()).containsOnlyKeys("sd1emb", "bigemb", "flatemb");
        assertThat(base.skipped().get("sd1emb")).contains("768").contains("48");

        NetworkLibrary library = NetworkLibrary.embeddings(Optional.of(folder));
        ClipTokenizer tokenizer = model.tokenizer();
        TextualInversions refiner = TextualInversions.load(library, tokenizer,
                List.of(new EmbeddingTower.Width(EmbeddingTower.CLIP_G, 32)));
        assertThat(refiner.loaded()).as("the refiner (bigG alone, 32 wide) takes none").isEmpty();
        assertThat(refiner.lookup(EmbeddingTower.CLIP_L)).isSameAs(io.sdfleet.diffusion.prompt.EmbeddingLookup.NONE);

        TextualInversions sd1 = TextualInversions.load(library, tokenizer,
                List.of(new EmbeddingTower.Width(EmbeddingTower.CLIP_L, 768)));
        assertThat(sd1.loaded()).as("SD 1.x takes its own, not SDXL's").containsExactly("sd1emb");
    }

    @Test
    void eachTowerReadsItsOwnVectorsInPlaceOfTheNamesTokens() {
        Networks networks = new Networks(model, new NetworkDirectories(Optional.empty(), Optional.of(folder),
                Optional.empty()));
        SdxlTextEncoders towers = model.sdxlTextEncoders().orElseThrow();
        SdxlConditioner conditioner = new SdxlConditioner(towers, model.tokenizer(),
                networks.embeddings(EmbeddingTower.CLIP_L), networks.embeddings(EmbeddingTower.CLIP_G),
                AestheticScores.A1111);
        String words = "a photo of";
        try (NDManager call = model.manager().newSubManager();
             SdxlConditioner.TextConditioning text = conditioner.encodeText(call, words + " sdxlemb")) {
            int[] wordIds = model.tokenizer().encode(words);
            TextEncoder l = towers.clipL().orElseThrow();
            NDArray lIds = ids(call, wordIds, l);
            NDArray byHandL = byHand(call, l, lIds, wordIds.length, clipL, 16);
            NDArray gIds = ids(call, wordIds, towers.bigG());
            NDArray byHandG = byHand(call, towers.bigG(), gIds, wordIds.length, clipG, 32);
            NDArray pooled = towers.bigG().pooled(byHandG, gIds);

            double errorL = Tensors.maxAbs(text.crossattn().get(":, :, 0:16"), byHandL);
            double errorG = Tensors.maxAbs(text.crossattn().get(":, :, 16:48"), byHandG);
            double errorPooled = Tensors.maxAbs(text.pooled(), pooled);
            System.out.printf("SDXL TI: max |conditioning - towers on overwritten embeddings| CLIP-L %.2e, bigG %.2e, "
                    + "pooled %.2e%n", errorL, errorG, errorPooled);
            assertThat(errorL).isLessThanOrEqualTo(1e-6);
            assertThat(errorG).isLessThanOrEqualTo(1e-6);
            assertThat(errorPooled).isLessThanOrEqualTo(1e-6);

            // the name means something: plain text would have given other conditioning
            try (SdxlConditioner.TextConditioning plain = new SdxlConditioner(towers, model.tokenizer())
                    .encodeText(call, words + " sdxlemb")) {
                assertThat(Tensors.maxAbs(plain.crossattn(), text.crossattn())).isGreaterThan(1e-3);
            }
        }
    }

    /** One chunk's ids: BOS, the words, a placeholder per vector (A1111 puts 0), EOS, then the tower's padding. */
    private static NDArray ids(NDManager manager, int[] words, TextEncoder tower) {
        long[] ids = new long[ClipTokenizer.CONTEXT_LENGTH];
        Arrays.fill(ids, tower.paddingId().orElse(49407));
        ids[0] = 49406;
        for (int i = 0; i < words.length; i++) {
            ids[1 + i] = words[i];
        }
        ids[1 + words.length] = 0;
        ids[2 + words.length] = 0;
        ids[1 + words.length + VECTORS] = 49407;
        return manager.create(ids, new Shape(1, ids.length));
    }

    /** The tower on its token embeddings with rows 1 + words … overwritten by the vectors. */
    private static NDArray byHand(NDManager manager, TextEncoder tower, NDArray ids, int words, float[] vectors,
                                  int width) {
        NDArray embeddings = tower.tokenEmbeddings(ids);
        embeddings.attach(manager);
        embeddings.set(new NDIndex("0, {}:{}", 1 + words, 1 + words + VECTORS),
                manager.create(vectors, new Shape(VECTORS, width)));
        NDArray out = tower.encodeEmbeddings(embeddings, 1);
        out.attach(manager);
        return out;
    }

    private static float[] gaussian(Random random, int n) {
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = (float) random.nextGaussian() * 0.3f;
        }
        return out;
    }
}
