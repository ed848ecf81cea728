/**
 * Face detection for restore faces, as A1111 v1.10 runs it through facexlib 0.3.0: the RetinaFace ResNet-50
 * network ({@link io.sdfleet.diffusion.restore.detect.RetinaFace}), its anchors and post-processing
 * ({@link io.sdfleet.diffusion.restore.detect.PriorBox}, {@link io.sdfleet.diffusion.restore.detect.DetectionDecoder})
 * and FaceRestoreHelper's {@code get_face_landmarks_5}
 * ({@link io.sdfleet.diffusion.restore.detect.FaceDetector}).
 */
package io.sdfleet.diffusion.restore.detect;
