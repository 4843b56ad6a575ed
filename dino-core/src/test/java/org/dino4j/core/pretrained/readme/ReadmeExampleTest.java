package org.dino4j.core.pretrained.readme;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** README's Java example is this package's {@link Embed} (minus the package line), and it runs. */
class ReadmeExampleTest {

    @Test
    void readmeShowsThisCompiledExample() throws Exception {
        String readme = Files.readString(Path.of("../README.md"));
        String marker = "```java\n";
        int at = readme.indexOf(marker + "import java.io.File;");
        assertTrue(at >= 0, "README has the PretrainedDino example");
        String block = readme.substring(at + marker.length(), readme.indexOf("```", at + marker.length()));
        String source = Files.readString(Path.of("src/test/java/org/dino4j/core/pretrained/readme/Embed.java"));
        String withoutPackage = source.substring(source.indexOf('\n') + 1).stripLeading();
        assertEquals(withoutPackage, block);
        long code = block.lines().filter(l -> !l.isBlank() && !l.startsWith("import")).count();
        assertTrue(code <= 10, "ten lines of code, got " + code);
    }

    @Test
    void theExampleEmbedsAnImage() throws Exception {
        Path weights = Path.of(getClass().getResource("/pretrained/vit16-hf/model.safetensors").toURI());
        Path image = Path.of(getClass().getResource("/pretrained/preprocess-down.png").toURI());
        PrintStream old = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            Embed.main(new String[] {weights.toString(), image.toString()});
        } finally {
            System.setOut(old);
        }
        List<String> lines = out.toString(StandardCharsets.UTF_8).lines().toList();
        assertEquals(List.of("ViT patch 16, dim 48, depth 2, 3 heads, MLP 192, grid 14x14: 48 features"), lines);
    }
}
