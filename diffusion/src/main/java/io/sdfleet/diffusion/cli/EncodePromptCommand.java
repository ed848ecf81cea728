package io.sdfleet.diffusion.cli;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.sdfleet.diffusion.checkpoint.CheckpointFiles;
import io.sdfleet.diffusion.checkpoint.SafetensorsWriter;
import io.sdfleet.diffusion.checkpoint.TensorSource;
import io.sdfleet.diffusion.nn.Weights;
import io.sdfleet.diffusion.clip.ClipTextModel;
import io.sdfleet.diffusion.loading.ModelSidecar;
import io.sdfleet.diffusion.model.Conditioning;
import io.sdfleet.diffusion.prompt.EmphasisEncoder;
import io.sdfleet.diffusion.prompt.PromptChunker;
import io.sdfleet.diffusion.runtime.Torch;
import io.sdfleet.diffusion.sdxl.SdxlConditioner;
import io.sdfleet.diffusion.sdxl.SdxlSize;
import io.sdfleet.diffusion.sdxl.SdxlTextEncoders;
import io.sdfleet.diffusion.tokenizer.ClipTokenizer;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * {@code ./sd encode-prompt --model PATH --tokenizer PATH [--clip-skip N] --out F TEXT}: writes tensor {@code cond},
 * the conditioning A1111's text layer gives for TEXT ([1, 77·k, C]). Only the text model is loaded. On an SDXL
 * checkpoint it takes {@code [--width W --height H] [--sdxl-crop-top N --sdxl-crop-left N] [--negative]} (W and H
 * default to 1024, as A1111's SDXL conditioning; {@code --negative}: TEXT as the negative prompt — zeroed when empty,
 * the refiner's low aesthetic score) and writes {@code cond} (the cross-attention context) and {@code vector}.
 */
final class EncodePromptCommand {

    private EncodePromptCommand() {
    }

    static void run(List<String> args, PrintStream out) {
        Arguments a = Arguments.parse(args, Set.of("negative"));
        Path model = a.existingPath("model");
        Path tokenizerPath = a.existingPath("tokenizer");
        int clipSkip = a.integer("clip-skip", 1);
        String outFile = a.required("out");
        String text = Prompts.single(a.positional(), "TEXT");
        SdxlSize size = SdxlSize.forImage(a.integer("width", 1024), a.integer("height", 1024))
                .withCrop(a.integer("sdxl-crop-top", 0), a.integer("sdxl-crop-left", 0));
        boolean negative = a.flag("negative");
        a.rejectUnknown();
        if (model == null) {
            throw new UsageException("missing required option --model");
        }
        ClipTokenizer tokenizer = tokenizerPath != null ? ClipTokenizer.load(tokenizerPath)
                : ClipTokenizer.besideModel(model).map(ClipTokenizer::load)
                        .orElseThrow(() -> new UsageException("missing required option --tokenizer"));
        if (clipSkip < 1) {
            throw new UsageException("--clip-skip must be at least 1, got " + clipSkip);
        }
        try (TensorSource source = CheckpointFiles.open(model); NDManager manager = Torch.newManager(Device.cpu())) {
            Weights root = Weights.of(source, manager, DataType.FLOAT32);
            if (SdxlTextEncoders.present(root)) {
                SdxlTextEncoders encoders = SdxlTextEncoders.load(root, ModelSidecar.near(model)::textHeadsFor);
                Conditioning c = new SdxlConditioner(encoders, tokenizer).encode(manager, text, negative, size);
                new SafetensorsWriter().putFloats("cond", c.crossattn().getShape().getShape(), c.crossattn().toFloatArray())
                        .putFloats("vector", c.vector().getShape().getShape(), c.vector().toFloatArray())
                        .write(Path.of(outFile));
                out.println(outFile + " " + c.crossattn().getShape() + " " + c.vector().getShape());
                return;
            }
            Weights text0 = root.at(ClipTextModel.PREFIX);
            int heads = ModelSidecar.near(model).textHeadsFor(text0.shape("embeddings.token_embedding.weight")[1]);
            ClipTextModel clip = ClipTextModel.load(text0, heads);
            if (clipSkip > clip.layerCount()) {
                throw new UsageException("--clip-skip " + clipSkip + " exceeds the text model's " + clip.layerCount() + " layers");
            }
            NDArray cond = new EmphasisEncoder(clip).encode(manager, new PromptChunker(tokenizer).tokenize(text), clipSkip);
            new SafetensorsWriter().putFloats("cond", cond.getShape().getShape(), cond.toFloatArray()).write(Path.of(outFile));
            out.println(outFile + " " + cond.getShape());
        }
    }
}
