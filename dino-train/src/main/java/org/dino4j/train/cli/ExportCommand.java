package org.dino4j.train.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.dino4j.core.model.DinoModel;
import org.dino4j.core.pretrained.OfficialExport;
import org.dino4j.core.pretrained.io.CheckpointWriter;
import org.dino4j.core.pretrained.io.Tensor;
import org.dino4j.train.config.DinoConfig;
import org.dino4j.train.run.RunModels;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code dino export}: a dino4j run's ViT teacher (or student) in the official DINO layout, as safetensors or a
 * PyTorch {@code .pth} that {@code torch.load} + {@code vision_transformer.py}'s {@code VisionTransformer} (or
 * dino4j's own importer) read: the backbone's state dict, or with {@code --head} the {@code MultiCropWrapper}
 * layout {@code backbone.*} + {@code head.*}. See {@link OfficialExport}.
 */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = "Write a run's ViT teacher in the official DINO layout (.safetensors or .pth).")
public final class ExportCommand implements Callable<Integer> {
    @Option(names = "--checkpoint", required = true, paramLabel = "RUN_DIR",
            description = "Run directory (its latest checkpoint) or a checkpoint .zip.")
    Path checkpoint;

    @Option(names = "--format", required = true, paramLabel = "FORMAT", description = "safetensors or pth.")
    String format;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "Output file.")
    Path out;

    @Option(names = "--head", description = "Also write the DINO head (keys backbone.* and head.*).")
    boolean head;

    @Option(names = "--student", description = "Export the student (default: the teacher, as the official hub files).")
    boolean student;

    @Override
    public Integer call() throws Exception {
        String f = format.toLowerCase(Locale.ROOT);
        if (!f.equals("safetensors") && !f.equals("pth")) {
            throw new IllegalArgumentException("--format must be safetensors or pth, got " + format);
        }
        DinoConfig cfg = RunModels.config(checkpoint);
        if (!cfg.model().backbone().equals("vit")) {
            throw new IllegalArgumentException("dino export writes ViT backbones (the official layout); the run's backbone is \""
                    + cfg.model().backbone() + "\"");
        }
        DinoModel model = load(cfg);
        Map<String, Tensor> tensors = OfficialExport.vit(model, head);
        if (f.equals("pth")) {
            CheckpointWriter.writePytorch(tensors, out);
        } else {
            CheckpointWriter.writeSafetensors(tensors, OfficialExport.metadata(model), out);
        }
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("file", out.toAbsolutePath().toString());
        summary.put("format", f);
        summary.put("tensors", tensors.size());
        summary.put("weights", student ? "student" : "teacher");
        summary.put("heads", OfficialExport.metadata(model).get("num_heads"));
        System.out.println(new ObjectMapper().writeValueAsString(summary));
        return 0;
    }

    /** The run's network; the image channels are found by trying the config's and then the other (1 or 3). */
    private DinoModel load(DinoConfig cfg) throws IOException {
        int c = cfg.data().channels();
        try {
            return RunModels.load(checkpoint, student, c).model();
        } catch (IOException first) {
            try {
                return RunModels.load(checkpoint, student, 4 - c).model();
            } catch (IOException second) {
                throw first;
            }
        }
    }
}
