#include "app.hpp"

#include <imgui.h>

namespace tower::twin {

TwinApp::TwinApp() : ui_(model_) {}

void TwinApp::configure_imgui(float display_scale) {
  ImGuiIO& io = ImGui::GetIO();
  io.IniFilename = nullptr;  // the layout is computed from the window size every frame; nothing to remember
  io.ConfigFlags |= ImGuiConfigFlags_NavEnableKeyboard;
  ImGuiStyle& style = ImGui::GetStyle();
  style = ImGuiStyle();  // scaling compounds: start from the unscaled sizes every time
  ImGui::StyleColorsDark();
  style.WindowRounding = 4.0f;
  style.FrameRounding = 3.0f;
  style.ScaleAllSizes(display_scale);
  // The default bitmap font is crisp at 13 px and scales in whole steps; a larger size stays readable.
  ImFontConfig font;
  font.SizePixels = 15.0f * display_scale;
  io.Fonts->Clear();
  io.Fonts->AddFontDefault(&font);
}

void TwinApp::frame(double real_seconds, int framebuffer_width, int framebuffer_height) {
  model_.width = framebuffer_width;
  model_.height = framebuffer_height;
  ++model_.frames;
  timing_window_s_ += real_seconds;
  ++timing_frames_;
  if (timing_window_s_ >= 1.0) {
    model_.fps = timing_frames_ / timing_window_s_;
    model_.frame_ms = 1000.0 * timing_window_s_ / timing_frames_;
    timing_window_s_ = 0.0;
    timing_frames_ = 0;
  }
  model_.update(real_seconds);
  ImGui::NewFrame();
  ui_.frame();
  ImGui::Render();
}

}  // namespace tower::twin
