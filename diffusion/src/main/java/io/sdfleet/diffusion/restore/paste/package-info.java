/** facexlib's {@code paste_faces_to_input_image}: restored faces warped back and blended into the image. */
package io.sdfleet.diffusion.restore.paste;
