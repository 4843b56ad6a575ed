package org.dino4j.train.config;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.dino4j.augment.MultiCropConfig;
import org.dino4j.core.model.SmallResNet;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The presets are YAML resources. Two fixtures pin what each one means: {@code legacy-presets/NAME.json}, the config
 * each preset resolved to when presets were Java code (written in the older key layout, so they also pin how older
 * checkpoints load), and {@code legacy-presets/NAME.crops.json}, the multi-crop recipe that code built from it.
 */
class PresetsTest {
    private static final Path FIXTURES = Path.of("src/test/resources/legacy-presets");
    private static final Path RESOURCES = Path.of("src/main/resources/org/dino4j/train/config/presets");

    @Test
    void everyResourceIsListedAndEveryNameHasAResource() throws IOException {
        TreeSet<String> files = new TreeSet<>();
        try (Stream<Path> s = Files.list(RESOURCES)) {
            s.forEach(p -> files.add(p.getFileName().toString().replaceFirst("\\.yaml$", "")));
        }
        assertEquals(List.copyOf(files), Presets.names());
        assertTrue(Presets.names().containsAll(List.of("default", "synthetic-quick", "fashion-mnist", "reference", "tiny")));
    }

    /** Each preset equals the config the same name meant before presets were YAML (fixture above). */
    @Test
    void everyPresetEqualsItsRecordedDefinition() throws IOException {
        ObjectMapper om = new ObjectMapper();
        for (String name : Presets.names()) {
            DinoConfig p = Presets.get(name);
            assertEquals(ConfigLoader.fromJson(Files.readString(FIXTURES.resolve(name + ".json"))), p, name);
            assertEquals(om.readValue(FIXTURES.resolve(name + ".crops.json").toFile(), MultiCropConfig.class), p.data().crops(), name);
            assertEquals(p, ConfigLoader.fromJson(ConfigLoader.toJson(p)), name + " round trip");
        }
    }

    /** Presets name their base and hold only what they change; the default is complete. */
    @Test
    void presetFilesAreReadLikeUserFiles() throws IOException {
        String def = Files.readString(RESOURCES.resolve("default.yaml"));
        assertFalse(def.contains("\npreset:") || def.startsWith("preset:"), "the default has no base");
        for (String name : Presets.names()) {
            if (name.equals(Presets.DEFAULT)) continue;
            Path f = RESOURCES.resolve(name + ".yaml");
            assertTrue(Files.readString(f).contains("\npreset: "), name);
            assertEquals(Presets.get(name), ConfigLoader.load(null, f, null), name);
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Presets.get("huge"));
        assertTrue(e.getMessage().startsWith("preset must be one of [default, "), e.getMessage());
    }

    /**
     * A recorded run's config with {@code run.gcEveryIters} 0, as every preset has it: the recorded runs called
     * System.gc() after each step, which frees memory and does not change a step's numbers.
     */
    static DinoConfig withoutGc(DinoConfig recorded) {
        return ConfigLoader.override(recorded, Map.of("run.gcEveryIters", "0"));
    }

    /** The fashion-mnist-long preset is the resolved config of the recorded 85.70% run (docs/results/fm-wide-e8). */
    @Test
    void fashionMnistLongIsTheRecordedRunsConfig() throws IOException {
        Path recorded = Path.of("..", "docs", "results", "fm-wide-e8", "config.yaml");
        assertTrue(Files.isRegularFile(recorded), recorded.toAbsolutePath().toString());
        assertEquals(withoutGc(ConfigLoader.load("default", recorded, null)), Presets.get("fashion-mnist-long"));
    }

    /**
     * The runs of docs/training.md's "Your own images" table (docs/results/images/FOLDER-sSEED) are the images preset
     * as {@code dino train --data images:DIR --seed S --threads 1} resolves it: the preset with that source, seed and
     * thread count, adapted to the run's number of training images (data.json) — with the channels read from the
     * folder and the pooling its alignment chose, both taken from the recorded config (how they are chosen is tested
     * in DataScalingTest and ImagesDefaultRecipeTest). The table's numbers are those runs' baselines.json.
     */
    @Test
    void imagesRunsAreThePresetAdaptedToTheirFolders() throws IOException {
        Path results = Path.of("..", "docs", "results", "images");
        ObjectMapper om = new ObjectMapper();
        List<Path> runs;
        try (Stream<Path> s = Files.list(results)) {
            runs = s.filter(Files::isDirectory).sorted().toList();
        }
        assertEquals(20, runs.size(), runs.toString());
        int grids = 0;
        for (Path run : runs) {
            DinoConfig recorded = ConfigLoader.load("default", run.resolve("config.yaml"), null);
            int images = om.readTree(run.resolve("data.json").toFile()).get("images").asInt();
            int grid = ((SmallResNet.Options) recorded.model().backboneOptions()).poolGrid();
            DinoConfig base = ConfigLoader.override(Presets.get("images"), Map.of("data.source", recorded.data().source(),
                    "run.seed", Long.toString(recorded.run().seed()), "run.threads", "1",
                    "data.channels", Integer.toString(recorded.data().channels())));
            double alignment = grid == DataScaling.ALIGNED_POOL_GRID ? 1.0 : 0.0;
            Set<String> fixed = Set.of("data.source", "run.seed", "run.threads", "data.channels");
            assertEquals(DataScaling.adapt(base, images, alignment, fixed).config(), recorded, run.toString());
            grids += grid == DataScaling.ALIGNED_POOL_GRID ? 1 : 0;
        }
        assertEquals(15, grids, "the grey digit and garment folders pooled to a grid, the 5 shape runs globally");
    }

    /**
     * The fashion-mnist-hour preset is the resolved config of its recorded run (docs/results/fm-hour), run on 2
     * threads where the preset takes all the machine's cores (the thread count changes speed, not the recipe), and of
     * its seeds 1 and 2 (docs/results/fm-hour-s1, fm-hour-s2); the recorded 48-epoch run (docs/results/fm-hour-e48,
     * one thread beside another run) differs in its length, the 2x2-grid run (docs/results/fm-hour-g2) from that one
     * in the grid, the learning rate and the epochs, and the global-pooling run (docs/results/fm-hour-gap) from that
     * one in the grid only.
     */
    @Test
    void fashionMnistHourIsTheRecordedRunsConfig() throws IOException {
        Path results = Path.of("..", "docs", "results");
        Path recorded = results.resolve("fm-hour").resolve("config.yaml");
        assertTrue(Files.isRegularFile(recorded), recorded.toAbsolutePath().toString());
        DinoConfig run = ConfigLoader.load("default", recorded, null);
        assertEquals(ConfigLoader.override(Presets.get("fashion-mnist-hour"), Map.of("run.threads", "2")), run);
        for (int seed = 1; seed <= 2; seed++) {
            Path other = results.resolve("fm-hour-s" + seed).resolve("config.yaml");
            assertEquals(ConfigLoader.override(run, Map.of("run.seed", Integer.toString(seed))),
                    ConfigLoader.load("default", other, null), other.toString());
        }
        DinoConfig e48 = ConfigLoader.load("default", results.resolve("fm-hour-e48").resolve("config.yaml"), null);
        assertEquals(ConfigLoader.override(run, Map.of("run.epochs", "48", "run.threads", "1")), e48);
        DinoConfig g2 = ConfigLoader.load("default", results.resolve("fm-hour-g2").resolve("config.yaml"), null);
        assertEquals(ConfigLoader.override(e48, Map.of("model.small-resnet.poolGrid", "2", "optim.lr", "0.0025",
                "run.epochs", "54")), g2);
        DinoConfig gap = ConfigLoader.load("default", results.resolve("fm-hour-gap").resolve("config.yaml"), null);
        assertEquals(ConfigLoader.override(g2, Map.of("model.small-resnet.poolGrid", "1")), gap);
        // and it differs from fashion-mnist-long only in the pooling grid, the learning rate, the teacher's
        // temperatures, the centre, the run's length and its threads
        DinoConfig longer = Presets.get("fashion-mnist-long"), hour = Presets.get("fashion-mnist-hour");
        SmallResNet.Options cnn = longer.model().backboneOptions(SmallResNet.Options.class);
        assertEquals(new SmallResNet.Options(cnn.stem(), cnn.widths(), cnn.blocksPerStage(), cnn.groups(), 4),
                hour.model().backboneOptions(SmallResNet.Options.class));
        assertEquals(longer.model().head(), hour.model().head());
        assertEquals(longer.data(), hour.data());
        assertEquals(ConfigLoader.override(longer, Map.of("optim.lr", "0.005")).optim(), hour.optim());
        assertEquals(0.06, hour.teacher().teacherTemp());
        assertEquals(0.99, hour.teacher().centerMomentum());
        assertEquals(0, hour.run().threads(), "all the machine's cores");
    }

    /** The synthetic-long preset is the resolved config of the recorded 99.10% run (docs/results/synth-long-393k). */
    @Test
    void syntheticLongIsTheRecordedRunsConfig() throws IOException {
        Path recorded = Path.of("..", "docs", "results", "synth-long-393k", "config.yaml");
        assertTrue(Files.isRegularFile(recorded), recorded.toAbsolutePath().toString());
        assertEquals(withoutGc(ConfigLoader.load("default", recorded, null)), Presets.get("synthetic-long"));
        // and it differs from the main job only where its file says so
        DinoConfig quick = Presets.get("synthetic-quick"), long_ = Presets.get("synthetic-long");
        assertEquals(quick.model(), long_.model());
        assertEquals(quick.optim(), long_.optim());
        assertEquals(quick.data().crops(), long_.data().crops());
        assertEquals(393_216, long_.data().syntheticSize());
        assertEquals(0.99, long_.teacher().momentumTeacher());
        assertEquals(0.1, long_.data().crops().blurSigmaMax(), "no blur in effect");
        // the earlier records (97.30%, 98.30%) are the same preset on fewer images
        Map<String, String> earlier = Map.of("synth-long", "131072", "synth-long-262k", "262144");
        for (Map.Entry<String, String> e : earlier.entrySet()) {
            Path p = Path.of("..", "docs", "results", e.getKey(), "config.yaml");
            assertEquals(withoutGc(ConfigLoader.load("default", p, null)),
                    ConfigLoader.override(long_, Map.of("data.syntheticSize", e.getValue())), e.getKey());
        }
    }

    /**
     * The synthetic-main preset (the main job) is the resolved config of its recorded seed-0 run
     * (docs/results/synth-main-s0).
     */
    @Test
    void syntheticMainIsTheRecordedRunsConfig() throws IOException {
        Path recorded = Path.of("..", "docs", "results", "synth-main-s0", "config.yaml");
        assertTrue(Files.isRegularFile(recorded), recorded.toAbsolutePath().toString());
        DinoConfig run = ConfigLoader.load("default", recorded, null);
        assertEquals(run, Presets.get("synthetic-main"));
        // and it is what dino train uses on the synthetic data when no preset is named; other data gets "images"
        assertEquals("synthetic-main", org.dino4j.train.run.TrainingRun.defaultPreset(null, null));
        assertEquals("images", org.dino4j.train.run.TrainingRun.defaultPreset(null, Map.of("data.source", "idx:/x")));
    }

    /**
     * The ablation tables in README and docs/ablations.md were measured on the presets as they are now: each table's
     * recorded full-DINO config (docs/results/TABLE/config-full.yaml, written by {@code dino ablate}) equals its preset
     * with the table's data source and thread count. A preset change makes this fail until the table is regenerated by its command.
     */
    @Test
    void ablationTablesWereRunOnTodaysPresets() throws IOException {
        Map<String, String> tables = Map.of("ablate-main", "synthetic-main", "ablate-fmnist", "fashion-mnist");
        for (Map.Entry<String, String> t : tables.entrySet()) {
            Path recorded = Path.of("..", "docs", "results", t.getKey(), "config-full.yaml");
            assertTrue(Files.isRegularFile(recorded), recorded.toAbsolutePath().toString());
            DinoConfig run = withoutGc(ConfigLoader.load("default", recorded, null));
            // the data source and the thread count are the table's command line (threads change speed, not the recipe)
            DinoConfig preset = ConfigLoader.override(Presets.get(t.getValue()), Map.of("data.source", run.data().source(),
                    "run.threads", Integer.toString(run.run().threads())));
            assertEquals(preset, run, t.getKey() + " was measured on " + t.getValue() + " as it is now");
        }
    }

    /** Every recorded run directory's config under docs/results loads (they are written in the older key layout). */
    @Test
    void everyRecordedRunConfigLoads() throws IOException {
        try (Stream<Path> dirs = Files.list(Path.of("..", "docs", "results"))) {
            for (Path d : dirs.toList()) {
                for (String f : List.of("config.yaml", "config-full.yaml")) {
                    Path c = d.resolve(f);
                    if (Files.isRegularFile(c)) assertNotNull(ConfigLoader.load("default", c, null).model(), c.toString());
                }
            }
        }
    }
}
