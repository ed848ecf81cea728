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
              tokenize       --tokenizer PATH TEXT
              parse-prompt   TEXT
              encode-prompt  --model PATH --tokenizer PATH [--clip-skip N] --out F TEXT
              bench          [--model PATH | --arch sd15] [--width W --height H] [--batch-size N] [--steps N] [--threads N]
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
                case "txt2img" -> Txt2ImgCommand.run(args, out);
                case "parse-prompt" -> ParsePromptCommand.run(args, out);
                case "encode-prompt" -> EncodePromptCommand.run(args, out);
                default -> throw new UsageException("unknown command '" + argv.get(0) + "' (try ./sd help)");
            }
            return 0;
        } catch (UsageException | CheckpointException | IllegalArgumentException e) {
            err.println("sd: " + e.getMessage());
            return 2;
        }
    }
}
