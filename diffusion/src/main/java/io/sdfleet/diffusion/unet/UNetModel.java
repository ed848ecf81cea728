package io.sdfleet.diffusion.unet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.sdfleet.diffusion.nn.Weights;
import io.sdfleet.diffusion.model.NoisePredictor;
import io.sdfleet.diffusion.nn.Activations;
import io.sdfleet.diffusion.nn.Attention;
import io.sdfleet.diffusion.nn.Conv2d;
import io.sdfleet.diffusion.nn.GroupNorm;
import io.sdfleet.diffusion.nn.Linear;
import io.sdfleet.diffusion.nn.PaddingMode;
import io.sdfleet.diffusion.nn.Scope;
import io.sdfleet.diffusion.offload.Placement;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * The CompVis LDM {@code openaimodel.UNetModel} in its checkpoint key layout (under {@link #PREFIX}).
 *
 * <pre>
 * emb = time_embed(timestep_embedding(t))              time_embed.{0,2}
 *     + label_emb(y)                                   label_emb.0.{0,2}: SDXL only, y = the "vector" conditioning
 * h = x; for block in input_blocks: h = block(h); skips.push(h)
 * h = middle_block(h)                                  ResBlock, SpatialTransformer, ResBlock
 * for block in output_blocks: h = block(cat(h, skips.pop()))
 * eps = out(h)                                         GroupNorm, SiLU, conv
 * </pre>
 * Widths, levels, res blocks per level, where attention sits, transformer depth and context width all come from
 * the tensors; only the head layout must be told ({@link HeadLayout}). Every block runs in its own sub-manager.
 *
 * <p>SDXL's UNet ({@code num_classes: "sequential"}) adds a class embedding of the pooled-text-and-sizes vector y
 * to the time embedding: Linear, SiLU, Linear, its input width ({@code adm_in_channels}) read off the tensor. Such
 * a UNet must be given y ({@link #predict(NDArray, NDArray, NDArray, NDArray, UNetSettings)}); the others must not.
 *
 * <p>A loaded UNet is shared by every run on its model and never changed by one: what a run chooses (padding,
 * attention chunking, hypernetworks) comes with each call as {@link UNetSettings}.
 */
public final class UNetModel implements NoisePredictor {

    /** Where LDM single-file checkpoints keep the UNet. */
    public static final String PREFIX = "model.diffusion_model.";

    private final Linear timeEmbed0;
    private final Linear timeEmbed2;
    private final LabelEmbedding labelEmbed; // null: no y input (SD 1.x / 2.x)
    private final List<List<UNetBlock>> inputBlocks;
    private final List<UNetBlock> middleBlock;
    private final List<List<UNetBlock>> outputBlocks;
    private final GroupNorm outNorm;
    private final Conv2d outConv;
    private final int modelChannels;
    private final int inChannels;
    private final int contextDim;
    private final DataType dtype;
    private volatile Prediction prediction;
    private final UNetSettings plain;
    private final String prefix;
    private volatile Placement placement = Placement.NONE;

    private UNetModel(Weights w, HeadLayout heads, Prediction prediction, Attention attention) {
        this.prediction = prediction;
        this.plain = new UNetSettings(PaddingMode.ZEROS, attention, null);
        this.prefix = w.prefix();
        long[] conv0 = w.shape("input_blocks.0.0.weight");
        modelChannels = Math.toIntExact(conv0[0]);
        inChannels = Math.toIntExact(conv0[1]);
        timeEmbed0 = Linear.load(w.at("time_embed.0"));
        timeEmbed2 = Linear.load(w.at("time_embed.2"));
        labelEmbed = w.has(LabelEmbedding.KEY) ? LabelEmbedding.load(w) : null;
        dtype = w.floatType();
        inputBlocks = new ArrayList<>();
        for (int i : indices(w, "input_blocks.")) {
            inputBlocks.add(sequence(w.at("input_blocks." + i), heads));
        }
        middleBlock = sequence(w.at("middle_block"), heads);
        outputBlocks = new ArrayList<>();
        for (int i : indices(w, "output_blocks.")) {
            outputBlocks.add(sequence(w.at("output_blocks." + i), heads));
        }
        outNorm = GroupNorm.load(w.at("out.0"), GroupNorm.SD_GROUPS, GroupNorm.UNET_EPS);
        outConv = Conv2d.load(w.at("out.2"), 1, 1);
        contextDim = Math.toIntExact(contextWidth(w));
    }

    /** SD 1.x defaults: 8 heads per transformer, epsilon prediction, chunked attention. */
    public static UNetModel load(Weights w) {
        return load(w, HeadLayout.SD1, Prediction.EPSILON, Attention.chunked());
    }

    /** @param w weights positioned at the UNet ({@code checkpoint.at(PREFIX)}) */
    public static UNetModel load(Weights w, HeadLayout heads, Prediction prediction, Attention attention) {
        return new UNetModel(w, heads, prediction, attention);
    }

    /** One TimestepEmbedSequential: its children 0, 1, 2… told apart by the keys they hold. */
    private List<UNetBlock> sequence(Weights w, HeadLayout heads) {
        List<UNetBlock> blocks = new ArrayList<>();
        for (int j : indices(w, "")) {
            Weights child = w.at(String.valueOf(j));
            if (child.has("in_layers.0.weight")) {
                blocks.add(new ResBlock(child));
            } else if (child.has("proj_in.weight")) {
                blocks.add(new SpatialTransformer(child, heads));
            } else if (child.has("op.weight")) {
                blocks.add(new Resample.Down(child));
            } else if (child.has("conv.weight")) {
                blocks.add(new Resample.Up(child));
            } else if (child.has("weight")) { // input_blocks.0.0: the stem conv
                Conv2d conv = Conv2d.load(child, 1, 1);
                blocks.add((h, emb, context, settings) -> conv.forward(h, settings.padding()));
            } else {
                throw new IllegalArgumentException("unknown UNet block at " + child.prefix());
            }
        }
        return blocks;
    }

    /** The numeric children under {@code prefix}, e.g. 0..11 for "input_blocks.". */
    private static SortedSet<Integer> indices(Weights w, String prefix) {
        SortedSet<Integer> out = new TreeSet<>();
        for (String key : w.keys()) {
            if (key.startsWith(prefix)) {
                String rest = key.substring(prefix.length());
                int dot = rest.indexOf('.');
                if (dot > 0 && rest.substring(0, dot).chars().allMatch(Character::isDigit)) {
                    out.add(Integer.parseInt(rest.substring(0, dot)));
                }
            }
        }
        return out;
    }

    private static long contextWidth(Weights w) {
        for (String key : w.keys()) {
            if (key.endsWith("attn2.to_k.weight")) {
                return w.shape(key)[1];
            }
        }
        return 0;
    }

    /** A plain run's prediction: zero padding, the attention given at load, no hypernetworks. */
    @Override
    public NDArray predict(NDArray x, NDArray timesteps, NDArray context) {
        return predict(x, timesteps, context, plain);
    }

    /** A plain run's prediction with SDXL's vector conditioning y [B, adm_in_channels] (null for SD 1.x / 2.x). */
    @Override
    public NDArray predict(NDArray x, NDArray timesteps, NDArray context, NDArray vector) {
        return predict(x, timesteps, context, vector, plain);
    }

    /** The prediction as one run computes it ({@link #predict(NDArray, NDArray, NDArray)} otherwise). */
    public NDArray predict(NDArray x, NDArray timesteps, NDArray context, UNetSettings settings) {
        return predict(x, timesteps, context, null, settings);
    }

    /**
     * The prediction as one run computes it, with SDXL's vector conditioning.
     *
     * @param vector y [B, {@link #admInChannels()}] for an SDXL UNet; null for one without a label embedding
     */
    public NDArray predict(NDArray x, NDArray timesteps, NDArray context, NDArray vector, UNetSettings settings) {
        checkVector(vector);
        NDManager caller = x.getManager();
        try (NDManager call = caller.newSubManager()) {
            placement.enter(prefix);
            NDArray h = inModelType(x, call);
            NDArray ctx = context == null ? null : inModelType(context, call);
            NDArray emb = embedding(call, timesteps, vector);
            Deque<NDArray> skips = new ArrayDeque<>();
            for (int i = 0; i < inputBlocks.size(); i++) {
                placement.enter(prefix + "input_blocks." + i + ".");
                h = run(call, inputBlocks.get(i), h, emb, ctx, settings);
                skips.push(h);
            }
            placement.enter(prefix + "middle_block.");
            h = run(call, middleBlock, h, emb, ctx, settings);
            for (int i = 0; i < outputBlocks.size(); i++) {
                List<UNetBlock> block = outputBlocks.get(i);
                placement.enter(prefix + "output_blocks." + i + ".");
                NDArray skip = skips.pop();
                NDArray joined = joinSkip(call, h, skip);
                h.close();
                skip.close();
                h = run(call, block, joined, emb, ctx, settings);
                joined.close();
            }
            NDArray in = h;
            placement.enter(prefix);
            NDArray out = Scope.run(call,
                    () -> outConv.forward(Activations.silu(outNorm.forward(in)), settings.padding()), in);
            NDArray result = out.getDataType() == x.getDataType() ? out : out.toType(x.getDataType(), false);
            result.attach(caller);
            return result;
        }
    }

    /** A borrowed input in the model's float type, as a new array in {@code call} (the caller's stays untouched). */
    private NDArray inModelType(NDArray input, NDManager call) {
        NDArray converted = input.toType(dtype, true);
        converted.attach(call);
        return converted;
    }

    private void checkVector(NDArray vector) {
        if (labelEmbed != null && vector == null) {
            throw new IllegalArgumentException("this UNet is SDXL's (label_emb, adm_in_channels " + admInChannels()
                    + "): it needs the vector conditioning y (pooled text + size embeddings), and none was given");
        }
        if (labelEmbed == null && vector != null) {
            throw new IllegalArgumentException("this UNet has no label_emb: it takes no vector conditioning y");
        }
        if (vector != null && vector.getShape().get(vector.getShape().dimension() - 1) != admInChannels()) {
            throw new IllegalArgumentException("vector conditioning y " + vector.getShape() + " does not match the "
                    + "UNet's adm_in_channels " + admInChannels());
        }
    }

    /** emb = time_embed(sinusoid(t)) (+ label_emb(y) for SDXL). */
    private NDArray embedding(NDManager call, NDArray timesteps, NDArray vector) {
        NDArray emb = timeEmbedding(call, timesteps);
        if (vector == null) {
            return emb;
        }
        return emb.add(labelEmbedding(inModelType(vector, call)));
    }

    /** time_embed(timestep_embedding(t)) [B, 4·model_channels], in the model's float type. */
    NDArray timeEmbedding(NDManager call, NDArray timesteps) {
        NDArray sinusoid = TimestepEmbedding.sinusoid(call, timesteps, modelChannels);
        NDArray typed = sinusoid.toType(dtype, false);
        return timeEmbed2.forward(Activations.silu(timeEmbed0.forward(typed)));
    }

    /** label_emb(y) [B, 4·model_channels] for y in the model's float type; SDXL UNets only. */
    NDArray labelEmbedding(NDArray vector) {
        return labelEmbed.forward(vector);
    }

    /** Runs one sequence of blocks on h (left open: it may be a skip) and returns a new array in {@code call}. */
    private static NDArray run(NDManager call, List<UNetBlock> blocks, NDArray h, NDArray emb, NDArray context,
                               UNetSettings settings) {
        NDArray current = h;
        for (UNetBlock block : blocks) {
            NDArray in = current;
            current = Scope.run(call, () -> block.forward(in, emb, context, settings), in, emb, context);
            if (in != h) {
                in.close();
            }
        }
        return current;
    }

    /**
     * cat(h, skip) on channels. When the latent side is not a multiple of 8 the upsampled h is one pixel larger
     * than the skip; like A1111 it is resized (nearest) to the skip's size first.
     */
    private static NDArray joinSkip(NDManager call, NDArray h, NDArray skip) {
        return Scope.run(call, () -> {
            NDArray matched = h;
            long height = skip.getShape().get(2);
            long width = skip.getShape().get(3);
            if (h.getShape().get(2) != height || h.getShape().get(3) != width) {
                matched = Resample.nearest(h, height, width);
            }
            return NDArrays.concat(new NDList(matched, skip), 1);
        }, h, skip);
    }

    @Override
    public Prediction prediction() {
        return prediction;
    }

    /**
     * Declares what {@link #predict} returns; the weights cannot tell, so a loader that had to probe the model
     * (SD 2.x without a config) settles it after loading. The network itself is unchanged.
     */
    public void setPrediction(Prediction prediction) {
        this.prediction = Objects.requireNonNull(prediction);
    }

    public int modelChannels() {
        return modelChannels;
    }

    /** 4, or 9 for inpainting models (latent + mask + masked-image latent). */
    public int inChannels() {
        return inChannels;
    }

    public int contextDim() {
        return contextDim;
    }

    /** The width of the vector conditioning y SDXL's label embedding takes (2816 base, 2560 refiner); 0: none. */
    public int admInChannels() {
        return labelEmbed == null ? 0 : labelEmbed.inChannels();
    }

    /** The precision of the weights (what extra weights hooked into this UNet should match). */
    public DataType dtype() {
        return dtype;
    }

    /** The attention chunking given at load: what a plain run uses. */
    public Attention attention() {
        return plain.attention();
    }

    /** This UNet as a sampler of one run sees it: every prediction with {@code settings}. */
    public NoisePredictor with(UNetSettings settings) {
        return new UNetForRun(this, settings);
    }

    /** Who brings the weights to the compute device before each block runs (memory modes). */
    public void setPlacement(Placement placement) {
        this.placement = placement;
    }
}
