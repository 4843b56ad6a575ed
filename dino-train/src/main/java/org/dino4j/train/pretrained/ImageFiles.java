package org.dino4j.train.pretrained;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

/**
 * Image files under a folder, in a fixed order: every {@code .png}, {@code .jpg}, {@code .jpeg}, {@code .bmp} or
 * {@code .gif} (any case) below it, sorted by relative path. The label of a file is the rank of its first-level
 * subfolder among the sorted class folders (the {@code ImageFolder} convention of the official evaluation);
 * files directly in the folder get label 0.
 *
 * @param root the folder
 * @param files the files, sorted
 * @param labels one label per file
 * @param classes class folder names (empty when the images are not in class folders)
 */
public record ImageFiles(Path root, List<Path> files, int[] labels, List<String> classes) {
    /** Extensions read (lower case). */
    public static final List<String> EXTENSIONS = List.of("png", "jpg", "jpeg", "bmp", "gif");

    /**
     * @param root folder to scan
     * @return its images
     * @throws IOException when the folder does not exist or holds no image
     */
    public static ImageFiles scan(Path root) throws IOException {
        if (!Files.isDirectory(root)) {
            throw new IOException(root + ": not a directory");
        }
        List<Path> files;
        try (Stream<Path> s = Files.walk(root)) {
            files = s.filter(Files::isRegularFile).filter(ImageFiles::isImage)
                    .sorted((a, b) -> root.relativize(a).toString().compareTo(root.relativize(b).toString())).toList();
        }
        if (files.isEmpty()) {
            throw new IOException(root + ": no image files (" + String.join(", ", EXTENSIONS) + ") below it");
        }
        List<String> classes = new ArrayList<>();
        int[] labels = new int[files.size()];
        for (int i = 0; i < files.size(); i++) {
            Path rel = root.relativize(files.get(i));
            if (rel.getNameCount() > 1) {
                String c = rel.getName(0).toString();
                int k = classes.indexOf(c);
                if (k < 0) {
                    classes.add(c);
                    k = classes.size() - 1;
                }
                labels[i] = k; // files are sorted by path, so classes are met in sorted order
            }
        }
        return new ImageFiles(root, List.copyOf(files), labels, List.copyOf(classes));
    }

    /** @return the number of files */
    public int size() {
        return files.size();
    }

    /**
     * @param i index
     * @return the path of file i relative to the root, with '/' separators
     */
    public String relative(int i) {
        return root.relativize(files.get(i)).toString().replace('\\', '/');
    }

    /**
     * @param file an image file
     * @return the decoded image
     * @throws IOException naming the file when it cannot be decoded
     */
    public static BufferedImage read(Path file) throws IOException {
        BufferedImage img;
        try {
            img = ImageIO.read(file.toFile());
        } catch (IOException | RuntimeException e) {
            throw new IOException(file + ": unreadable image (" + e.getMessage() + ")", e);
        }
        if (img == null) {
            throw new IOException(file + ": not an image format ImageIO can decode");
        }
        return img;
    }

    private static boolean isImage(Path p) {
        String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
        int dot = n.lastIndexOf('.');
        return dot > 0 && EXTENSIONS.contains(n.substring(dot + 1));
    }
}
