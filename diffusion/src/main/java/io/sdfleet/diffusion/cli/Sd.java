package io.sdfleet.diffusion.cli;

import io.sdfleet.diffusion.checkpoint.CheckpointException;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;

/** Entry point of {@code ./sd}: one sub-command per engine capability. */
public final class Sd {

    private static final String USAGE = """
            usage: ./sd <command> [options]
              txt2img        --model PATH --prompt TEXT [--negative-prompt TEXT] [--sampler NAME] [--scheduler NAME]
                             [--steps N] [--cfg-scale X] [--seed N] [--width W] [--height H] [--batch-size N]
                             [--clip-skip N] [--tokenizer PATH] [--noise-file F] [--latents-out F] [--out DIR]
                             [--tiling] [--enable-hr --hr-scale X | --hr-resize-x W --hr-resize-y H]
                             [--hr-upscaler Latent|"Latent (nearest)"|Lanczos|Nearest|None|"R-ESRGAN 4x+"|ESRGAN-FILE-NAME]
                             [--esrgan-dir DIR] [--realesrgan-dir DIR] [--hr-second-pass-steps N]
                             [--denoising-strength X] [--hr-sampler NAME] [--hr-prompt TEXT] [--hr-negative-prompt TEXT]
                             [--rng cpu|nv] [--subseed N --subseed-strength X] [--seed-resize-from-w W --seed-resize-from-h H]
                             [--ensd N] [--vae PATH] [--lora-dir DIR] [--embeddings-dir DIR] [--hypernetwork-dir DIR]
                             [--medvram | --lowvram] [--attention-budget-mb N] [--tiled-vae]
                             [--refiner PATH --refiner-switch-at X] [--sdxl-crop-top N --sdxl-crop-left N]
                             (<lora:name:weight>, <hypernet:name:weight> and embedding names work in prompts;
                              --model takes SD 1.x, 2.x and SDXL checkpoints, --refiner an SDXL refiner)
              img2img        the txt2img options plus --init-image PNG [--denoising-strength X] [--resize-mode 0|1|2]
                             [--mask PNG [--mask-blur N] [--inpainting-fill original|fill|latent-noise|latent-nothing]
                              [--inpaint-full-res [--inpaint-full-res-padding N]] [--inpainting-mask-invert]]
              restore-faces  --restorer GFPGAN|CodeFormer --model PATH --face-models DIR --image IN --out OUT
                             [--codeformer-weight W] [--seed N]
                             (DIR holds detection_Resnet50_Final.pth and parsing_parsenet.pth)
              upscale        --upscaler PATH --image IN --out OUT [--scale S] [--tile N] [--tile-overlap N]
                             (ESRGAN / Real-ESRGAN file; --tile 0: untiled; defaults 192 / 8; scale: the model's)
              extras         --image IN --out OUT [--upscaler PATH|Lanczos|Nearest --upscaling-resize S]
                             [--gfpgan-model PATH --gfpgan-visibility V] [--codeformer-model PATH
                             --codeformer-visibility V --codeformer-weight W] [--face-models DIR] [--seed N]
                             (as /sdapi/v1/extra-single-image: upscale, then GFPGAN, then CodeFormer)
              tokenize       --tokenizer PATH TEXT
              parse-prompt   TEXT
              encode-prompt  --model PATH --tokenizer PATH [--clip-skip N] --out F TEXT
                             (SDXL: [--width W --height H] [--sdxl-crop-top N --sdxl-crop-left N] [--negative];
                              writes cond and vector)
              bench          [--model PATH | --arch sd15|sdxl] [--width W --height H] [--batch-size N] [--steps N]
                             [--threads N] [--no-warmup]
              bench          --memory-modes [--model PATH --tokenizer PATH] [--sizes 512,1024] [--steps N] [--sd15-vae]
              fleet          run the whole fleet locally (see README)
            """;

    private Sd() {
    }

    public static void main(String[] argv) {
        System.exit(run(Arrays.asList(argv), System.out, System.err));
    }

    /** Runs one command; returns the process exit status (0 ok, 2 bad usage or input, 1 failure). */
    public static int run(List<String> argv, PrintStream out, PrintStream err) {
        if (argv.isEmpty() || argv.get(0).equals("help") || argv.get(0).equals("--help")) {
            out.print(USAGE);
            return argv.isEmpty() ? 2 : 0;
        }
        List<String> args = argv.subList(1, argv.size());
        try {
            switch (argv.get(0)) {
                case "bench" -> BenchCommand.run(args, out);
                case "tokenize" -> TokenizeCommand.run(args, out);
                case "upscale" -> UpscaleCommand.run(args, out);
                case "extras" -> ExtrasCommand.run(args, out);
                case "txt2img" -> GenerateCommand.run(args, out, false);
                case "img2img" -> GenerateCommand.run(args, out, true);
                case "parse-prompt" -> ParsePromptCommand.run(args, out);
                case "encode-prompt" -> EncodePromptCommand.run(args, out);
                case "restore-faces" -> RestoreFacesCommand.run(args, out);
                default -> throw new UsageException("unknown command '" + argv.get(0) + "' (try ./sd help)");
            }
            return 0;
        } catch (UsageException | CheckpointException | IllegalArgumentException e) {
            err.println("sd: " + e.getMessage());
            return 2;
        }
    }
}
