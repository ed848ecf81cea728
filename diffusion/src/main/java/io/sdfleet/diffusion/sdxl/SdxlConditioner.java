package io.sdfleet.diffusion.sdxl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.sdfleet.diffusion.model.Conditioning;
import io.sdfleet.diffusion.prompt.EmbeddingLookup;
import io.sdfleet.diffusion.prompt.EmphasisEncoder;
import io.sdfleet.diffusion.prompt.PromptChunker;
import io.sdfleet.diffusion.prompt.TokenizedPrompt;
import io.sdfleet.diffusion.tokenizer.ClipTokenizer;

import java.util.Optional;

/**
 * A1111's SDXL conditioning of one text ({@code sd_models_xl.get_learned_conditioning}): prompt editing is the
 * caller's, who encodes each scheduled text here.
 *
 * <ul>
 *   <li>crossattn = [CLIP-L penultimate | bigG penultimate] along channels (the refiner: bigG alone), each tower
 *       chunked and emphasised on its own, chunks joined along tokens;</li>
 *   <li>vector = [bigG pooled (first chunk, before emphasis) | F(original h, w) | F(crop top, left) |
 *       F(target h, w)], the refiner's last part F(aesthetic score) instead of the target size
 *       ({@link FourierFeatures});</li>
 *   <li>a negative prompt that is exactly '' has all its text parts zeroed (crossattn and pooled), as sgm's
 *       {@code force_zero_embeddings=['txt']}; its size parts stay.</li>
 * </ul>
 */
public final class SdxlConditioner {

    private final SdxlTextEncoders encoders;
    private final Optional<TextTower> clipL;
    private final TextTower bigG;
    private final AestheticScores aestheticScores;

    public SdxlConditioner(SdxlTextEncoders encoders, ClipTokenizer tokenizer) {
        this(encoders, tokenizer, EmbeddingLookup.NONE, EmbeddingLookup.NONE, AestheticScores.A1111);
    }

    /** @param clipLEmbeddings, bigGEmbeddings textual inversion per tower (an SDXL embedding has vectors for both) */
    public SdxlConditioner(SdxlTextEncoders encoders, ClipTokenizer tokenizer, EmbeddingLookup clipLEmbeddings,
                           EmbeddingLookup bigGEmbeddings, AestheticScores aestheticScores) {
        this.encoders = encoders;
        this.clipL = encoders.clipL().map(encoder -> new TextTower(encoder, tokenizer, clipLEmbeddings));
        this.bigG = new TextTower(encoders.bigG(), tokenizer, bigGEmbeddings);
        this.aestheticScores = aestheticScores;
    }

    /** The conditioning of one text in {@code manager}. */
    public Conditioning encode(NDManager manager, String text, boolean negative, SdxlSize size) {
        TextConditioning textParts = zeroesText(text, negative) ? zeros(manager, text) : encodeText(manager, text);
        try (NDArray pooled = textParts.pooled()) {
            return new Conditioning(textParts.crossattn(), vector(manager, pooled, negative, size));
        }
    }

    /** sgm's rule as A1111 applies it: only a negative prompt, and only when it is exactly empty. */
    public static boolean zeroesText(String text, boolean negative) {
        return negative && text.isEmpty();
    }

    /** The text parts of {@code text}, never zeroed: crossattn [1, 77·k, C] and bigG's pooled vector [1, P]. */
    public TextConditioning encodeText(NDManager manager, String text) {
        NDList parts = new NDList();
        try (NDManager scope = manager.newSubManager()) {
            clipL.ifPresent(tower -> parts.add(tower.encode(scope, tower.tokenize(text),
                    EmphasisEncoder.ChunkListener.NONE)));
            NDArray[] pooled = new NDArray[1];
            parts.add(bigG.encode(scope, bigG.tokenize(text), (index, tokens, encoded) -> {
                if (index == 0) {
                    pooled[0] = encoders.bigG().pooled(encoded, tokens).toType(DataType.FLOAT32, false);
                    pooled[0].attach(manager);
                }
            }));
            checkSameTokenCount(parts);
            NDArray crossattn = parts.size() == 1 ? parts.get(0) : NDArrays.concat(parts, 2);
            crossattn.attach(manager);
            return new TextConditioning(crossattn, pooled[0]);
        }
    }

    /** The text parts of a zeroed prompt, without running the towers (their output would be thrown away). */
    private TextConditioning zeros(NDManager manager, String text) {
        long tokens = (long) bigG.tokenize(text).chunks().size() * (PromptChunker.CHUNK_LENGTH + 2);
        return new TextConditioning(manager.zeros(new Shape(1, tokens, encoders.contextWidth()), DataType.FLOAT32),
                manager.zeros(new Shape(1, encoders.bigG().pooledWidth()), DataType.FLOAT32));
    }

    /** [pooled | sizes] as the UNet's {@code y}: 2816 wide for the base, 2560 for the refiner. */
    public NDArray vector(NDManager manager, NDArray pooled, boolean negative, SdxlSize size) {
        float[] numbers = encoders.isRefiner()
                ? new float[] {size.originalHeight(), size.originalWidth(), size.cropTop(), size.cropLeft(),
                        (float) aestheticScores.of(negative)}
                : new float[] {size.originalHeight(), size.originalWidth(), size.cropTop(), size.cropLeft(),
                        size.targetHeight(), size.targetWidth()};
        try (NDArray features = FourierFeatures.of(manager, numbers)) {
            return pooled.concat(features, 1);
        }
    }

    /** sgm concatenates the towers along channels, so their chunk counts must agree (one tokenizer: they do). */
    private static void checkSameTokenCount(NDList parts) {
        for (NDArray part : parts) {
            if (part.getShape().get(1) != parts.get(0).getShape().get(1)) {
                throw new IllegalStateException("SDXL text towers gave different token counts: "
                        + parts.get(0).getShape() + " and " + part.getShape());
            }
        }
    }

    public Optional<TextTower> clipL() {
        return clipL;
    }

    public TextTower bigG() {
        return bigG;
    }

    public boolean isRefiner() {
        return encoders.isRefiner();
    }

    /** The text half of a {@link Conditioning}, before the size features are added. */
    public record TextConditioning(NDArray crossattn, NDArray pooled) implements AutoCloseable {

        @Override
        public void close() {
            crossattn.close();
            pooled.close();
        }
    }
}
