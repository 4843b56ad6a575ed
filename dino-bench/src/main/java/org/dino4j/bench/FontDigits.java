package org.dino4j.bench;

import org.dino4j.augment.data.ImageDataset;

import java.awt.Font;
import java.awt.GraphicsEnvironment;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
import java.util.Arrays;
import java.util.Random;

/**
 * The digits 0–9 drawn with the fonts installed on the machine (not a test): image i shows digit {@code i mod 10} in
 * a font, size, slant, rotation (±15°), position and grey levels drawn from {@code new Random(seed · 1_000_003 + i)},
 * plus Gaussian pixel noise, 28×28 grey. A small labelled image set that none of the presets was tuned on, for trying
 * the default recipe on unseen data ({@link ExportImageFolder} writes it as an image folder). The fonts present differ
 * between machines, so the images do too.
 */
final class FontDigits implements ImageDataset {
    private static final int SIDE = 28;
    private final int size;
    private final long seed;
    private final String[] fonts;

    FontDigits(int size, long seed) {
        this.size = size;
        this.seed = seed;
        String[] all = GraphicsEnvironment.getLocalGraphicsEnvironment().getAvailableFontFamilyNames();
        this.fonts = Arrays.stream(all).filter(f -> new Font(f, Font.PLAIN, 20).canDisplayUpTo("0123456789") == -1).sorted()
                .toArray(String[]::new);
        if (fonts.length == 0) throw new IllegalStateException("no font can draw the digits");
    }

    @Override public int size() { return size; }
    @Override public int channels() { return 1; }
    @Override public int height() { return SIDE; }
    @Override public int width() { return SIDE; }
    @Override public int numClasses() { return 10; }
    @Override public String className(int c) { return "digit-" + c; }
    @Override public int label(int i) { return i % 10; }

    @Override
    public void imageInto(int i, float[] dst) {
        ImageDataset.checkIndex(i, size);
        Random r = new Random(seed * 1_000_003L + i);
        BufferedImage im = new BufferedImage(SIDE, SIDE, BufferedImage.TYPE_BYTE_GRAY);
        var g = im.createGraphics();
        int bg = r.nextInt(80), fg = 150 + r.nextInt(106);
        g.setColor(new java.awt.Color(bg, bg, bg));
        g.fillRect(0, 0, SIDE, SIDE);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        int style = r.nextInt(4); // plain, bold, italic, bold italic
        Font f = new Font(fonts[r.nextInt(fonts.length)], style, 16 + r.nextInt(8));
        g.setFont(f);
        String s = Integer.toString(i % 10);
        var m = g.getFontMetrics();
        double cx = SIDE / 2.0 + r.nextGaussian() * 1.5, cy = SIDE / 2.0 + r.nextGaussian() * 1.5;
        AffineTransform at = new AffineTransform();
        at.translate(cx, cy);
        at.rotate(Math.toRadians((r.nextDouble() * 2 - 1) * 15));
        at.shear((r.nextDouble() * 2 - 1) * 0.2, 0);
        g.setTransform(at);
        g.setColor(new java.awt.Color(fg, fg, fg));
        g.drawString(s, -m.stringWidth(s) / 2f, (m.getAscent() - m.getDescent()) / 2f);
        g.dispose();
        for (int y = 0; y < SIDE; y++) {
            for (int x = 0; x < SIDE; x++) {
                double v = im.getRaster().getSample(x, y, 0) / 255.0 + 0.04 * r.nextGaussian();
                dst[y * SIDE + x] = (float) Math.max(0, Math.min(1, v));
            }
        }
    }
}
