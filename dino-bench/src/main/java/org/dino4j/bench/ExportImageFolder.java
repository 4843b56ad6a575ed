package org.dino4j.bench;

import org.dino4j.augment.Seeds;
import org.dino4j.augment.data.FolderWriter;
import org.dino4j.augment.data.IdxDataset;
import org.dino4j.augment.data.ImageDataset;
import org.dino4j.augment.data.SyntheticDataset;
import org.dino4j.train.run.TrainData;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * Writes a labelled image folder for {@code dino train --data images:DIR} (not a test): {@code OUT/train/<class>/*.png}
 * and {@code OUT/test/<class>/*.png} ({@link FolderWriter}), from
 * <ul>
 *   <li>{@code idx:DIR} — the first TRAIN images of the IDX training set and the first TEST images of its test set,
 *       classes taken in turn so both are balanced (e.g. Fashion-MNIST subsets), or</li>
 *   <li>{@code synthetic} / {@code synthetic-rgb} — TRAIN and TEST images of the built-in shapes, 28×28, grey or RGB,
 *       the training images from the synthetic training stream's seed and the test images from its query seed, or</li>
 *   <li>{@code font-digits} — the digits 0–9 drawn with the system's fonts ({@link FontDigits}), 28×28 grey: a small
 *       dataset none of the presets was tuned on, or</li>
 *   <li>{@code uci-digits:FILE} — scanned handwritten digits, 8×8 scaled to 28×28 ({@link UciDigits}): the file's
 *       first TRAIN rows for training and the next TEST rows as queries (1,400 + 397 of its 1,797), or</li>
 *   <li>{@code uci-digits-shuffled:FILE} — the same images, the file's first TRAIN + TEST rows in a random order
 *       ({@link #shuffledRows}, seed 0), the first TRAIN of them for training and the rest as queries: the file is
 *       ordered by writer, so the first split queries other writers' digits and this one mostly the same writers'.</li>
 * </ul>
 * Usage: {@code ExportImageFolder SOURCE TRAIN TEST OUT}, from dino-bench's jar (docs/training.md, "Your own
 * images").
 */
public final class ExportImageFolder {
    /** Seed of {@code uci-digits-shuffled}'s row order. */
    static final long SHUFFLE_SEED = 0L;

    private ExportImageFolder() {}

    /**
     * The rows {@code 0 … n − 1} in a random order: {@link Seeds#shuffle} drawing from {@code SplittableRandom(seed)}
     * (the same seed gives the same order on every JVM).
     */
    static int[] shuffledRows(int n, long seed) {
        int[] order = IntStream.range(0, n).toArray();
        Seeds.shuffle(order, new SplittableRandom(seed));
        return order;
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 4) {
            System.err.println("usage: ExportImageFolder idx:DIR|synthetic|synthetic-rgb|font-digits|uci-digits:FILE"
                    + "|uci-digits-shuffled:FILE TRAIN TEST OUT");
            System.exit(2);
        }
        String src = args[0];
        int nTrain = Integer.parseInt(args[1]), nTest = Integer.parseInt(args[2]);
        Path out = Path.of(args[3]);
        if (Files.exists(out)) {
            System.err.println("ExportImageFolder: " + out + " exists; choose a new folder");
            System.exit(2);
        }
        ImageDataset train, test;
        int[] ti, qi;
        if (src.startsWith("idx:")) {
            train = IdxDataset.fashionMnist(Path.of(src.substring(4)), true);
            test = IdxDataset.fashionMnist(Path.of(src.substring(4)), false);
            ti = FolderWriter.balancedHead(train, nTrain);
            qi = FolderWriter.balancedHead(test, nTest);
        } else if (src.equals("synthetic") || src.equals("synthetic-rgb")) {
            int c = src.equals("synthetic") ? 1 : 3;
            train = new SyntheticDataset(nTrain, 28, 28, c, TrainData.SYNTHETIC_TRAIN_SEED);
            test = new SyntheticDataset(nTest, 28, 28, c, TrainData.SYNTHETIC_TEST_SEED);
            ti = IntStream.range(0, nTrain).toArray();
            qi = IntStream.range(0, nTest).toArray();
        } else if (src.equals("font-digits")) {
            train = new FontDigits(nTrain, 1);
            test = new FontDigits(nTest, 2);
            ti = IntStream.range(0, nTrain).toArray();
            qi = IntStream.range(0, nTest).toArray();
        } else if (src.startsWith("uci-digits:")) {
            Path file = Path.of(src.substring("uci-digits:".length()));
            train = new UciDigits(file, 0, nTrain);
            test = new UciDigits(file, nTrain, nTest);
            ti = IntStream.range(0, nTrain).toArray();
            qi = IntStream.range(0, nTest).toArray();
        } else if (src.startsWith("uci-digits-shuffled:")) {
            train = test = new UciDigits(Path.of(src.substring("uci-digits-shuffled:".length())), 0, nTrain + nTest);
            int[] order = shuffledRows(nTrain + nTest, SHUFFLE_SEED);
            ti = Arrays.copyOfRange(order, 0, nTrain);
            qi = Arrays.copyOfRange(order, nTrain, nTrain + nTest);
        } else {
            System.err.println("ExportImageFolder: SOURCE must be idx:DIR, synthetic, synthetic-rgb, font-digits, "
                    + "uci-digits:FILE or uci-digits-shuffled:FILE, got " + src);
            System.exit(2);
            return;
        }
        FolderWriter.write(train, ti, out.resolve("train"));
        FolderWriter.write(test, qi, out.resolve("test"));
        System.out.printf("%s: %d training and %d test images, %d classes%n", out, ti.length, qi.length, train.numClasses());
    }
}
