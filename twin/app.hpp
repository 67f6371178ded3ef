// The twin application, independent of the platform: a backend (backends/) owns the window, the GL context
// and the loop, and calls frame() once per displayed frame between its own NewFrame and render calls.
#pragma once

#include "model.hpp"
#include "ui.hpp"

namespace tower::twin {

class TwinApp {
 public:
  TwinApp();

  // Advances the model by the wall time since the last frame and builds this frame's ImGui draw data
  // (ImGui::NewFrame ... ImGui::Render). `framebuffer` is the drawable size in pixels.
  void frame(double real_seconds, int framebuffer_width, int framebuffer_height);

  TwinModel& model() { return model_; }

  // Sets up Dear ImGui's style and fonts for a display scale (1 on ordinary screens, 2 on most high-DPI ones).
  static void configure_imgui(float display_scale);

 private:
  TwinModel model_;
  TwinUi ui_;
  double timing_window_s_ = 0.0;
  int timing_frames_ = 0;
};

}  // namespace tower::twin
