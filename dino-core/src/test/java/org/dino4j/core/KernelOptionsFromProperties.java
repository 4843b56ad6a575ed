package org.dino4j.core;

import java.util.Locale;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The test JVM's counterpart of the {@code dino} command's overrides: turns {@code -Ddino4j.simd=auto|off},
 * {@code -Ddino4j.kernels=auto|host|nd4j} and {@code -Ddino4j.simd.warmup=on|off} into
 * {@link KernelOptions#configure} before any test class of this module runs. Registered for every test class through
 * JUnit's extension auto-detection ({@code META-INF/services/org.junit.jupiter.api.extension.Extension} and
 * {@code junit-platform.properties} in src/test/resources); dino-core's pom runs the kernel tests a second time with
 * {@code -Ddino4j.simd=off}, which {@code SimdTest} checks arrives here.
 */
public final class KernelOptionsFromProperties implements BeforeAllCallback {

    @Override
    public void beforeAll(ExtensionContext context) {
        KernelOptions o = KernelOptions.defaults();
        String simd = System.getProperty("dino4j.simd");
        if (simd != null) {
            o = o.withSimd(KernelOptions.SimdMode.valueOf(simd.trim().toUpperCase(Locale.ROOT)));
        }
        String kernels = System.getProperty("dino4j.kernels");
        if (kernels != null) {
            o = o.withKernels(KernelOptions.Kernels.valueOf(kernels.trim().toUpperCase(Locale.ROOT)));
        }
        if ("off".equals(System.getProperty("dino4j.simd.warmup"))) {
            o = o.withSimdWarmUp(false);
        }
        KernelOptions.configure(o); // the same options for every class: accepted again once the kernels fixed them
    }
}
