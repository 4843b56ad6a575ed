package org.dino4j.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import org.dino4j.augment.data.FolderWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

class ExportImageFolderTest {

    @Test
    void shuffledRowsIsASeededPermutation() {
        int[] a = ExportImageFolder.shuffledRows(1797, 0);
        assertArrayEquals(IntStream.range(0, 1797).toArray(), Arrays.stream(a).sorted().toArray(), "every row once");
        assertArrayEquals(a, ExportImageFolder.shuffledRows(1797, 0), "the same seed gives the same order");
        assertFalse(Arrays.equals(a, ExportImageFolder.shuffledRows(1797, 1)), "another seed another order");
        long inPlace = IntStream.range(0, a.length).filter(i -> a[i] == i).count();
        assertEquals(1.0, inPlace, 4.0, "about one fixed point, as a uniform permutation has; got " + inPlace);
    }

    /** Rows r = 0 … 5 whose 64 cells are all r and whose label is r: each written image tells its row. */
    @Test
    void shuffledUciSplitWritesDisjointRowsWithTheirLabels(@TempDir Path dir) throws Exception {
        StringBuilder csv = new StringBuilder();
        for (int r = 0; r < 6; r++) {
            csv.append(String.join(",", Collections.nCopies(64, Integer.toString(r)))).append(',').append(r).append('\n');
        }
        Path f = dir.resolve("digits.csv");
        Files.writeString(f, csv);
        Path out = dir.resolve("out");
        ExportImageFolder.main(new String[]{"uci-digits-shuffled:" + f, "4", "2", out.toString()});
        List<Path> train = pngs(out.resolve("train")), test = pngs(out.resolve("test"));
        assertEquals(4, train.size());
        assertEquals(2, test.size());
        Set<String> rows = new HashSet<>();
        for (Path p : Stream.concat(train.stream(), test.stream()).toList()) {
            int row = Integer.parseInt(p.getFileName().toString().replace(".png", ""));
            assertEquals(FolderWriter.folderName(row, "digit-" + row), p.getParent().getFileName().toString(), "label of row " + row);
            rows.add(p.getFileName().toString());
        }
        assertEquals(6, rows.size(), "train and test hold different rows, together all six");
        int[] order = ExportImageFolder.shuffledRows(6, ExportImageFolder.SHUFFLE_SEED);
        assertEquals(Arrays.stream(order, 0, 4).sorted().boxed().collect(Collectors.toList()),
                train.stream().map(p -> Integer.parseInt(p.getFileName().toString().replace(".png", ""))).sorted()
                        .collect(Collectors.toList()), "the first TRAIN rows of the shuffled order are the training images");
    }

    private static List<Path> pngs(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(p -> p.toString().endsWith(".png")).collect(Collectors.toList());
        }
    }
}
