#include "null.hpp"

namespace tower::twin {

NullPlatform::NullPlatform(int width, int height) : width_(width), height_(height) {
  IMGUI_CHECKVERSION();
  ImGui::CreateContext();
  TwinApp::configure_imgui(1.0f);
  unsigned char* pixels = nullptr;
  int atlas_width = 0, atlas_height = 0;
  ImGui::GetIO().Fonts->GetTexDataAsRGBA32(&pixels, &atlas_width, &atlas_height);  // NewFrame needs a built atlas
}

NullPlatform::~NullPlatform() { ImGui::DestroyContext(); }

void NullPlatform::frame(TwinApp& app, double seconds, ImVec2 mouse, bool mouse_down) {
  ImGuiIO& io = ImGui::GetIO();
  io.DisplaySize = ImVec2(static_cast<float>(width_), static_cast<float>(height_));
  io.DeltaTime = seconds > 0 ? static_cast<float>(seconds) : 1.0f / 60.0f;
  io.MousePos = mouse;
  io.MouseDown[0] = mouse_down;
  app.frame(seconds, width_, height_);
}

int NullPlatform::last_vertices() const {
  const ImDrawData* data = ImGui::GetDrawData();
  return data ? data->TotalVtxCount : 0;
}

}  // namespace tower::twin
